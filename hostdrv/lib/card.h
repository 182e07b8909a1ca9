/* SPDX-License-Identifier: BSD-3-Clause */
/* libclif's card handle (private to the library). */
#ifndef LIBCLIF_CARD_H
#define LIBCLIF_CARD_H

#include "backend.h"

struct clif_card {
	const struct clif_backend_ops *ops;
	void *be_priv; /* the backend's own state */
	struct clif_open_opts opts;
};

#endif /* LIBCLIF_CARD_H */
