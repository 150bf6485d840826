/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the library and the CLI (userlib/util.c): not
 * installed, not exported from libedudma.so, unit-tested on the host.
 */
#ifndef EDUDMA_UTIL_H
#define EDUDMA_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/edudma.h>

/**
 * edudma_util_parse_size() - parse "4096", "64K", "1M", "2G", "1T" (powers
 * of 1024; optional "iB"/"B"), or hexadecimal "0x1000".
 * Return: 0, or -EINVAL for anything else, -ERANGE past 2^64 - 1.
 */
int edudma_util_parse_size(const char *s, uint64_t *out);
/**
 * edudma_util_parse_bdf() - parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0).
 * Return: 0 or -EINVAL.
 */
int edudma_util_parse_bdf(const char *s, unsigned int *domain, unsigned int *bus,
			  unsigned int *dev, unsigned int *func);
/** edudma_util_kind_name() - "auto", "coherent", ... "imported", or NULL */
const char *edudma_util_kind_name(uint32_t kind);
/**
 * edudma_util_parse_kind() - "auto", "coherent", "pages", "vmalloc" (or
 * "vmalloc-sg") into EDUDMA_BUF_*. Return: 0 or -EINVAL.
 */
int edudma_util_parse_kind(const char *s, uint32_t *kind);
/**
 * edudma_util_plan_chunks() - how many chunks the driver splits a transfer into
 * @src: the source's segments (EDUDMA_IOC_BUF_INFO), or NULL (FROM_DEVICE)
 * @nsrc: their number
 * @soff: offset of the range in the source
 * @dst: the destination's segments, or NULL (TO_DEVICE)
 * @ndst: their number
 * @doff: offset of the range in the destination
 * @len: bytes
 * @window: bytes one command moves at most (struct edudma_info.window_size)
 * Each chunk fills the window unless a segment of either side ends first:
 * the minimum number of commands per direction for these mappings (a COPY
 * takes two per chunk). Return: the count, or -EINVAL.
 */
int64_t edudma_util_plan_chunks(const struct edudma_seg *src, size_t nsrc, uint64_t soff,
				const struct edudma_seg *dst, size_t ndst, uint64_t doff,
				uint64_t len, uint64_t window);

#endif /* EDUDMA_UTIL_H */
