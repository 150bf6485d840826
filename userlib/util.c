// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pure helpers of the library and the CLI, no device access (unit-tested on
 * the host). Not part of the library's ABI: hidden in libedudma.so.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libedudma.h"
#include "util.h"

int edudma_util_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	int base = 10, digits = 0;
	const char *p = s;

	if (!s || !out)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p; p++, digits++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (tolower((unsigned char)*p) - 'a') + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!digits)
		return -EINVAL;
	if (*p && base == 10) {
		const char *units = "KMGT", *u = strchr(units, toupper((unsigned char)*p));

		if (u && *p) {
			mult = 1ULL << (10 * (u - units + 1));
			p++;
			if (!strcmp(p, "iB"))
				p += 2;
		}
		if (!strcmp(p, "B"))
			p++;
	}
	if (*p)
		return -EINVAL;
	if (v && mult > UINT64_MAX / v)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int edudma_util_parse_bdf(const char *s, unsigned int *domain, unsigned int *bus,
				   unsigned int *dev, unsigned int *func)
{
	unsigned int d = 0, b, sl, f;
	int n = -1;

	if (!s)
		return -EINVAL;
	if (sscanf(s, "%4x:%2x:%2x.%1u%n", &d, &b, &sl, &f, &n) == 4 && n > 0 && !s[n]) {
		/* full form */
	} else if (d = 0, n = -1,
		   sscanf(s, "%2x:%2x.%1u%n", &b, &sl, &f, &n) == 3 && n > 0 && !s[n]) {
		/* short form, domain 0 */
	} else {
		return -EINVAL;
	}
	if (sl > 31 || f > 7)
		return -EINVAL;
	if (domain)
		*domain = d;
	if (bus)
		*bus = b;
	if (dev)
		*dev = sl;
	if (func)
		*func = f;
	return 0;
}

static const char *const kind_names[EDUDMA_BUF_USER + 1] = {
	[EDUDMA_BUF_AUTO] = "auto",
	[EDUDMA_BUF_COHERENT] = "coherent",
	[EDUDMA_BUF_PAGES] = "pages",
	[EDUDMA_BUF_VMALLOC_SG] = "vmalloc",
	[EDUDMA_BUF_IMPORTED] = "imported",
	[EDUDMA_BUF_USER] = "user",
};

const char *edudma_util_kind_name(uint32_t kind)
{
	return kind <= EDUDMA_BUF_USER ? kind_names[kind] : NULL;
}

int edudma_util_parse_kind(const char *s, uint32_t *kind)
{
	uint32_t k;

	if (!s || !kind)
		return -EINVAL;
	if (!strcmp(s, "vmalloc-sg")) {
		*kind = EDUDMA_BUF_VMALLOC_SG;
		return 0;
	}
	for (k = 0; k < EDUDMA_BUF_KINDS; k++) {
		if (!strcmp(s, kind_names[k])) {
			*kind = k;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * bytes from @pos to the end of the run of segments holding it that the
 * driver treats as one (edudma_buf_span()): each next segment contiguous
 * in bus addresses, or all of them bounced (~0); 0 if none holds @pos
 */
static uint64_t seg_left(const struct edudma_seg *segs, size_t n, uint64_t pos)
{
	size_t lo = 0, hi = n;
	uint64_t left;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (segs[mid].offset + segs[mid].len <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n || segs[lo].offset > pos)
		return 0;
	left = segs[lo].offset + segs[lo].len - pos;
	for (; lo + 1 < n; lo++) {
		const struct edudma_seg *a = &segs[lo], *b = &segs[lo + 1];
		bool bounced = a->dma_addr == UINT64_MAX;

		if (b->offset != a->offset + a->len ||
		    (bounced ? b->dma_addr != UINT64_MAX : b->dma_addr != a->dma_addr + a->len))
			break;
		left += b->len;
	}
	return left;
}

int64_t edudma_util_plan_chunks(const struct edudma_seg *src, size_t nsrc, uint64_t soff,
				const struct edudma_seg *dst, size_t ndst, uint64_t doff,
				uint64_t len, uint64_t window)
{
	uint64_t pos = 0;
	int64_t chunks = 0;

	if (!window || (!src && !dst))
		return -EINVAL;
	while (pos < len) {
		uint64_t n = len - pos < window ? len - pos : window, s;

		if (src) {
			s = seg_left(src, nsrc, soff + pos);
			if (!s)
				return -EINVAL;
			n = s < n ? s : n;
		}
		if (dst) {
			s = seg_left(dst, ndst, doff + pos);
			if (!s)
				return -EINVAL;
			n = s < n ? s : n;
		}
		pos += n;
		chunks++;
	}
	return chunks;
}
