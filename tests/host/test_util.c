// SPDX-License-Identifier: LGPL-2.1-or-later
/* Host unit tests of libedudma's pure helpers (run under ASan/UBSan). */
#include <errno.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "util.h"

struct size_case {
	char in[32];
	int ret;
	uint64_t out;
};

ParameterizedTestParameters(parse_size, cases)
{
	static struct size_case cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "4095", 0, 4095 },
		{ "4K", 0, 4096 },
		{ "4k", 0, 4096 },
		{ "4KiB", 0, 4096 },
		{ "4KB", 0, 4096 },
		{ "1M", 0, 1 << 20 },
		{ "64M", 0, 64ULL << 20 },
		{ "1G", 0, 1ULL << 30 },
		{ "2T", 0, 2ULL << 40 },
		{ "100B", 0, 100 },
		{ "0x1000", 0, 4096 },
		{ "0XfF", 0, 255 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "16777216T", -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "K", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "1X", -EINVAL, 0 },
		{ "1KK", -EINVAL, 0 },
		{ "1Ki", -EINVAL, 0 },
		{ "1iB", -EINVAL, 0 },
		{ "0x10K", -EINVAL, 0 },
		{ "1.5M", -EINVAL, 0 },
	};

	return cr_make_param_array(struct size_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct size_case *c, parse_size, cases)
{
	uint64_t v = 0xabcdef;
	int ret = edudma_util_parse_size(c->in, &v);

	cr_assert_eq(ret, c->ret, "'%s': %d, want %d", c->in, ret, c->ret);
	if (!c->ret)
		cr_assert_eq(v, c->out, "'%s': %llu", c->in, (unsigned long long)v);
	else
		cr_assert_eq(v, 0xabcdef, "'%s': output written on error", c->in);
}

Test(parse_size, null_arguments)
{
	uint64_t v;

	cr_assert_eq(edudma_util_parse_size(NULL, &v), -EINVAL);
	cr_assert_eq(edudma_util_parse_size("1", NULL), -EINVAL);
}

Test(parse_bdf, forms)
{
	unsigned int d, b, s, f;

	cr_assert_eq(edudma_util_parse_bdf("0000:01:00.0", &d, &b, &s, &f), 0);
	cr_assert(d == 0 && b == 1 && s == 0 && f == 0);
	cr_assert_eq(edudma_util_parse_bdf("abcd:ff:1f.7", &d, &b, &s, &f), 0);
	cr_assert(d == 0xabcd && b == 0xff && s == 0x1f && f == 7);
	cr_assert_eq(edudma_util_parse_bdf("02:03.1", &d, &b, &s, &f), 0);
	cr_assert(d == 0 && b == 2 && s == 3 && f == 1);
	cr_assert_eq(edudma_util_parse_bdf("02:03.1", NULL, NULL, NULL, NULL), 0);
}

Test(parse_bdf, rejects)
{
	static const char *bad[] = {
		NULL, "", "1", "0000:01:00", "0000:01:00.8", "0000:01:20.0", "0000:01:00.0x",
		"00000:01:00.0", "0000:001:00.0", "01:00.", "zz:00.0", "0000:01:00.0 ",
	};
	unsigned int d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(edudma_util_parse_bdf(bad[i], &d, NULL, NULL, NULL), -EINVAL, "'%s'",
			     bad[i] ? bad[i] : "(null)");
}
