// SPDX-License-Identifier: LGPL-2.1-or-later
/* Host unit tests of edudma_util_plan_chunks(): the chunking the driver does. */
#include <errno.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "util.h"

#define W 4095

static const struct edudma_seg one_mib[] = { { 0x100000, 1 << 20, 0 } };

Test(plan, one_segment_fills_the_window)
{
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, 0, NULL, 0, 0, 1 << 20, W), 257);
	cr_assert_eq(edudma_util_plan_chunks(NULL, 0, 0, one_mib, 1, 0, 1 << 20, W), 257);
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, 0, NULL, 0, 0, 1, W), 1);
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, 0, NULL, 0, 0, W, W), 1);
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, 0, NULL, 0, 0, W + 1, W), 2);
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, 17, one_mib, 1, 5, 3 * W, W), 3);
}

Test(plan, page_segments_cut_every_chunk)
{
	struct edudma_seg pages[256];

	for (int i = 0; i < 256; i++)
		pages[i] = (struct edudma_seg){ 0x10000000 + 2 * 4096ULL * i, 4096, 4096ULL * i };
	/* every 4 KiB page its own segment: 4095 bytes, then the page's last byte */
	cr_assert_eq(edudma_util_plan_chunks(pages, 256, 0, NULL, 0, 0, 1 << 20, W), 512);
	/* unaligned start: each page is cut in two by the window */
	cr_assert_eq(edudma_util_plan_chunks(pages, 256, 1, NULL, 0, 0, 4096, W), 2);
	/* both sides: the union of their breaks */
	cr_assert_eq(edudma_util_plan_chunks(pages, 256, 0, pages, 256, 2048, 8192, W), 4);
}

Test(plan, bounced_and_mapped_stretches)
{
	const struct edudma_seg mixed[] = {
		{ 0x1000, 10000, 0 }, { ~0ULL, 20000, 10000 }, { 0x900000, 5000, 30000 },
	};

	/* 10000 = 3 chunks (4095, 4095, 1810), 20000 = 5, 5000 = 2 */
	cr_assert_eq(edudma_util_plan_chunks(mixed, 3, 0, NULL, 0, 0, 35000, W), 10);
	cr_assert_eq(edudma_util_plan_chunks(mixed, 3, 9999, NULL, 0, 0, 2, W), 2);
}

/* the driver runs on across segments that meet in bus addresses, or are all bounced */
Test(plan, contiguous_segments_are_one_run)
{
	const struct edudma_seg joined[] = {
		{ 0x10000, 4096, 0 }, { 0x11000, 4096, 4096 }, { 0x12000, 4096, 8192 },
		{ ~0ULL, 4096, 12288 }, { ~0ULL, 4096, 16384 }, { 0x90000, 4096, 20480 },
	};

	/* 12288 contiguous = 4 chunks (4095 x 3, 3), 8192 bounced = 3, 4096 = 2 */
	cr_assert_eq(edudma_util_plan_chunks(joined, 6, 0, NULL, 0, 0, 24576, W), 9);
	/* from inside the run: to its end, not the segment's */
	cr_assert_eq(edudma_util_plan_chunks(joined, 6, 4000, NULL, 0, 0, 8288, W), 3);
}

Test(plan, bad_input)
{
	cr_assert_eq(edudma_util_plan_chunks(NULL, 0, 0, NULL, 0, 0, 10, W), -EINVAL);
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, 0, NULL, 0, 0, 10, 0), -EINVAL);
	/* a range past the segments */
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, (1 << 20) - 5, NULL, 0, 0, 10, W), -EINVAL);
	cr_assert_eq(edudma_util_plan_chunks(one_mib, 1, 0, NULL, 0, 0, 0, W), 0);
}
