/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libedudma internals: not installed. */
#ifndef LIBEDUDMA_PRIVATE_H
#define LIBEDUDMA_PRIVATE_H

#define EDUDMA_EXPORT __attribute__((visibility("default")))

#ifndef EDUDMA_LIB_VERSION
#define EDUDMA_LIB_VERSION "0.2.0"
#endif

#endif /* LIBEDUDMA_PRIVATE_H */
