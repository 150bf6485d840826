// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma.h from C++: every uapi struct is usable by its bare name, which
 * a function of the same name would hide (issue 11 item 5), and the calls
 * link. A compile failure here is the test failing.
 */
#include <criterion/criterion.h>

#include "libedudma.h"

Test(cxx, struct_names_are_not_hidden)
{
	edudma_info info{};
	edudma_stats stats{};
	edudma_factorial fact{};
	edudma_liveness live{};
	edudma_selftest self{};
	edudma_xfer xfer{};
	edudma_wait wait{};
	edudma_alloc alloc{};
	edudma_sync sync{};
	edudma_import imp{};
	edudma_export exp{};
	edudma_free fr{};
	edudma_buf_info bi{};

	(void)fact; (void)live; (void)alloc; (void)sync; (void)imp; (void)exp; (void)fr; (void)bi;
	cr_assert_eq(edudma_get_info(nullptr, &info), -EINVAL);
	cr_assert_eq(edudma_get_stats(nullptr, &stats, sizeof(stats)), -EINVAL);
	cr_assert_eq(edudma_run_selftest(nullptr, &self), -EINVAL);
	cr_assert_eq(edudma_submit(nullptr, &xfer), -EINVAL);
	cr_assert_eq(edudma_reap(nullptr, 0, 0, &wait), -EINVAL);
	cr_assert_str_eq(edudma_version(), edudma_version());
}
