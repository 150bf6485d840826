// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests of libedudma's calls that need no edu device: discovery next
 * to a caller's own libpciaccess, what edudma_open() refuses, the argument
 * checks. Built from the library's sources under ASan/UBSan, so a leak or
 * a use of freed libpciaccess state fails the test.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <linux/io_uring.h>
#include <pciaccess.h>

#include "libedudma.h"

static size_t pci_count(void)
{
	struct pci_device_iterator *it = pci_slot_match_iterator_create(NULL);
	size_t n = 0;

	cr_assert_not_null(it, "libpciaccess is not initialised");
	while (pci_device_next(it))
		n++;
	pci_iterator_destroy(it);
	return n;
}

Test(lib, version_matches_the_header)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", LIBEDUDMA_VERSION_MAJOR, LIBEDUDMA_VERSION_MINOR,
		 LIBEDUDMA_VERSION_PATCH);
	cr_assert_str_eq(edudma_version(), want);
	cr_assert_geq(LIBEDUDMA_VERSION, LIBEDUDMA_VERSION_NUM(0, 3, 0));
}

/* issue 11 item 1: edudma_list() used to free the caller's libpciaccess state */
Test(lib, list_keeps_the_callers_libpciaccess)
{
	struct edudma_device **list;
	size_t before, n = 99;

	cr_assert_eq(pci_system_init(), 0);
	before = pci_count();
	cr_assert_gt(before, 0, "this machine shows no PCI device in /sys/bus/pci");
	cr_assert_eq(edudma_list(&list, &n), 0);
	cr_assert_eq(pci_count(), before, "the caller's PCI devices changed");
	cr_assert_null(list[n], "the list is not NULL-terminated");
	edudma_list_free(list);
	cr_assert_eq(edudma_list(&list, NULL), 0);
	edudma_list_free(list);
	cr_assert_eq(pci_count(), before);
	pci_system_cleanup();
}

Test(lib, list_on_its_own_cleans_up)
{
	struct edudma_device **list;
	size_t n = 99;

	cr_assert_eq(edudma_list(&list, &n), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_neq(edudma_device_address(list[i]), "");
	cr_assert_null(list[n]);
	edudma_list_free(list);
	/* libpciaccess is not left initialised: no iterator can be made */
	cr_assert_null(pci_slot_match_iterator_create(NULL));
	cr_assert_eq(edudma_list(NULL, &n), -EINVAL);
	edudma_list_free(NULL);
}

Test(lib, open_refuses_what_is_not_edudma)
{
	struct edudma *e = NULL;

	cr_assert_eq(edudma_open("/dev/null", &e), -ENODEV);
	cr_assert_eq(edudma_open("/etc/passwd", &e), -ENODEV);
	cr_assert_eq(edudma_open("/dev/edudma-none", &e), -ENOENT);
	cr_assert_eq(edudma_open("4000", &e), -ENOENT);
	cr_assert_eq(edudma_open("0000:7f:1f.7", &e), -ENODEV);
	cr_assert_eq(edudma_open("not-a-device", &e), -EINVAL);
	cr_assert_eq(edudma_open("", &e), -EINVAL);
	cr_assert_eq(edudma_open(NULL, &e), -EINVAL);
	cr_assert_eq(edudma_open("0", NULL), -EINVAL);
	cr_assert_null(e);
}

Test(lib, open_refuses_a_pci_device_edudma_does_not_drive)
{
	struct edudma_device **list;
	struct pci_device_iterator *it;
	struct pci_device *pd;
	struct edudma *e = NULL;
	char bdf[16];

	cr_assert_eq(pci_system_init(), 0);
	it = pci_slot_match_iterator_create(NULL);
	pd = pci_device_next(it);
	cr_assert_not_null(pd);
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%u", pd->domain, pd->bus, pd->dev, pd->func);
	pci_iterator_destroy(it);
	pci_system_cleanup();
	cr_assert_eq(edudma_list(&list, NULL), 0);
	edudma_list_free(list);
	cr_assert_eq(edudma_open(bdf, &e), -ENODEV, "%s", bdf);
}

Test(lib, null_objects_are_refused)
{
	struct edudma_stats st;
	struct edudma_info in;
	struct edudma_xfer x = { 0 };
	struct edudma_wait w;
	uint32_t r;
	void *p;
	int fd;

	cr_assert_eq(edudma_get_info(NULL, &in), -EINVAL);
	cr_assert_eq(edudma_get_stats(NULL, &st, sizeof(st)), -EINVAL);
	cr_assert_eq(edudma_run_factorial(NULL, 3, 0, &r), -EINVAL);
	cr_assert_eq(edudma_run_liveness(NULL, 3, &r), -EINVAL);
	cr_assert_eq(edudma_submit(NULL, &x), -EINVAL);
	cr_assert_eq(edudma_reap(NULL, 0, 0, &w), -EINVAL);
	cr_assert_eq(edudma_fd(NULL), -EINVAL);
	cr_assert_eq(edudma_buf_mmap(NULL, &p), -EINVAL);
	cr_assert_eq(edudma_buf_export(NULL, &fd), -EINVAL);
	cr_assert_eq(edudma_buf_sync(NULL, 0, 1, EDUDMA_BUF_SYNC_READ), -EINVAL);
	cr_assert_null(edudma_buf_device(NULL));
	cr_assert_str_eq(edudma_kind_name(EDUDMA_BUF_IMPORTED), "imported");
	cr_assert_str_eq(edudma_kind_name(EDUDMA_BUF_USER), "user");
	cr_assert_null(edudma_kind_name(EDUDMA_BUF_USER + 1));
	cr_assert_eq(edudma_uring_prep_xfer(NULL, NULL, &x), -EINVAL);
	cr_assert_eq(edudma_uring_result(NULL, 1, &x), -EINVAL);
	edudma_close(NULL);
	edudma_buf_free(NULL);
}

/* a CQE's res is the commands (>= 1) or -errno; big_cqe[0] the device time */
Test(lib, uring_result_reads_the_cqe)
{
	struct {
		struct io_uring_cqe cqe;
		uint64_t extra[2];
	} big = { .cqe = { .user_data = 9, .res = 17 }, .extra = { 123456789, 0 } };
	struct edudma_xfer x = { 0 };

	cr_assert_eq(edudma_uring_result(&big.cqe, 1, &x), 0);
	cr_assert_eq(x.commands, 17);
	cr_assert_eq(x.device_ns, 123456789);
	cr_assert_eq(edudma_uring_result(&big.cqe, 0, &x), 0);
	cr_assert_eq(x.device_ns, 0, "a 16-byte CQE has no device time");
	big.cqe.res = -ECANCELED;
	cr_assert_eq(edudma_uring_result(&big.cqe, 1, &x), -ECANCELED);
	cr_assert_eq(x.commands, 0);
	cr_assert_eq(x.device_ns, 0);
	cr_assert_eq(edudma_uring_result(&big.cqe, 1, NULL), -ECANCELED);
}
