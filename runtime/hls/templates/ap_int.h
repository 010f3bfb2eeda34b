// mmlc stand-in for the vendor ap_int.h: the integer types live with ap_fixed in ap_fixed.h.
#ifndef MMLC_AP_INT_H
#define MMLC_AP_INT_H
#include "ap_fixed.h"
#endif
