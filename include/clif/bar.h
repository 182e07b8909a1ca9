/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BAR0 map of a CLIF card. The host finds blocks by walking the chain from the identity block
 * (clif_blk_hdr.next_off); the fixed offsets below are where this ABI major places them.
 */
#ifndef CLIF_BAR_H
#define CLIF_BAR_H

#include "abi.h"

#define CLIF_BAR0_OFF_IDENT 0x0000u
#define CLIF_BAR0_OFF_MBOX 0x1000u
#define CLIF_BAR0_OFF_C2H 0x2000u
#define CLIF_BAR0_OFF_DPCTR 0x3000u
#define CLIF_BAR0_SIZE 0x4000u

#endif /* CLIF_BAR_H */
