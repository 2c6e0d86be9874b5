#pragma once
// SOURCE_DATE_EPOCH (reproducible-builds.org): the one timestamp lk puts in anything it
// generates, so that outputs never carry the build's own time.
#include <cstdint>

namespace lk {

// The variable's value, or 0 when unset; throws InputError when it is not a number.
int64_t source_date_epoch();

}  // namespace lk
