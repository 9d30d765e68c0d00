#pragma once
// nabla: matrix calculus for C++. See docs/cpp-api.md.
#include "nabla/codegen.h"
#include "nabla/evaluate.h"
#include "nabla/expr.h"
#include "nabla/threads.h"
#include "nabla/transform.h"
