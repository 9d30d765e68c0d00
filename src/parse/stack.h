#pragma once
#include <functional>

namespace nabla {

// Runs `work` on a thread with a large stack (128 MiB, committed only as used), so that the
// recursive descent over kMaxNestingDepth levels fits even in sanitizer builds, whose frames
// are several times larger. Exceptions thrown by `work` are rethrown in the caller.
void run_with_large_stack(const std::function<void()>& work);

}  // namespace nabla
