// OpenBLAS's CBLAS interface (Debian's libopenblas-dev; pkg-config openblas).
#include <cblas.h>
