// The evaluator's error for the kernel library's inverse (see factorization.h).
#include "eval/factorization.h"

#include <sstream>
#include <string>

#include "ir/error.h"

namespace nabla {

Matrix SquareFactorization::inverse() const {
  Matrix out(size(), size());
  inverse(Eigen::Map<Matrix>(out.data(), size(), size()));
  return out;
}

void SquareFactorization::inverse(Eigen::Map<Matrix> out) const {
  double rcond = 0;
  if (kernels::SquareFactorization::inverse(out, &rcond)) return;
  std::ostringstream msg;
  msg << "matrix is singular (reciprocal condition number " << rcond << "), so inv is undefined";
  throw Error(ErrorKind::Value, msg.str(), "use values that make the matrix invertible");
}

}  // namespace nabla
