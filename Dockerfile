# The lk toolchain image: every lk tool plus the external programs later stages run.
# Each stage installs exactly what scripts/install-deps installs; keep them in step.
FROM debian:12 AS build
COPY scripts/install-deps /src/scripts/install-deps
RUN /src/scripts/install-deps
COPY . /src
RUN make -C /src -j"$(nproc)" && make -C /src install PREFIX=/usr/local DESTDIR=/out

FROM debian:12
COPY scripts/install-deps /tmp/install-deps
RUN /tmp/install-deps --runtime && rm /tmp/install-deps && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
WORKDIR /work
CMD ["lk-parse", "--help"]
