// SPDX-License-Identifier: LGPL-2.1-or-later
/* EDUDMA_IOC_GET_INFO and device discovery, against the real device. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

_Static_assert(sizeof(struct edudma_info) == 48, "uapi size");
_Static_assert(sizeof(struct edudma_factorial) == 16, "uapi size");
_Static_assert(sizeof(struct edudma_liveness) == 8, "uapi size");
_Static_assert(sizeof(struct edudma_selftest) == 24, "uapi size");
_Static_assert(sizeof(struct edudma_alloc) == 32, "uapi size");
_Static_assert(sizeof(struct edudma_free) == 8, "uapi size");
_Static_assert(sizeof(struct edudma_seg) == 24, "uapi size");
_Static_assert(sizeof(struct edudma_buf_info) == 56, "uapi size");
_Static_assert(sizeof(struct edudma_sync) == 32, "uapi size");
_Static_assert(sizeof(struct edudma_stats) == 184, "uapi size");
_Static_assert(sizeof(struct edudma_xfer) == 72, "uapi size");
_Static_assert(sizeof(struct edudma_wait) == 56, "uapi size");

TestSuite(info, .init = lab_init, .timeout = 30);

Test(info, reports_the_device)
{
	struct edudma_info in;
	int fd = lab_open(0);

	memset(&in, 0xa5, sizeof(in));
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &in), 0);
	cr_assert_eq(in.api_version, EDUDMA_API_VERSION);
	cr_assert_eq(in.ident, 0x010000ed, "ident 0x%08x", in.ident);
	cr_assert_eq(in.caps, EDUDMA_CAP_FACTORIAL | EDUDMA_CAP_LIVENESS | EDUDMA_CAP_SELFTEST |
			      EDUDMA_CAP_BUFFERS | EDUDMA_CAP_STATS | EDUDMA_CAP_XFER |
			      EDUDMA_CAP_DMABUF | EDUDMA_CAP_USER_MEMORY | EDUDMA_CAP_URING |
			      EDUDMA_CAP_XFER_TIMEOUT |
			      (lab_kernel_at_least(6, 7) ? EDUDMA_CAP_URING_CANCEL : 0),
		     "caps %#llx", (unsigned long long)in.caps);
	cr_assert_eq(in.dma_mask_bits, lab_mask_bits());
	cr_assert_eq(in.irq_mode, EDUDMA_IRQ_MSI);
	cr_assert_eq(in.window_addr, 0x40000);
	cr_assert_eq(in.window_size, lab_window(), "window %u, the lab set %" PRIu64,
		     in.window_size, lab_window());
	cr_assert_eq(in.minor, 0);
	cr_assert_eq(in.pad, 0);
	close(fd);
}

Test(info, pci_address_matches_sysfs)
{
	for (int m = 0; m < lab_edu_count(); m++) {
		struct edudma_info in;
		char bdf[32], mine[32];
		int fd = lab_open(m);

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &in), 0);
		lab_bdf(m, bdf, sizeof(bdf));
		snprintf(mine, sizeof(mine), "%04x:%02x:%02x.%u", in.pci_domain, in.pci_bus,
			 in.pci_dev, in.pci_fn);
		cr_assert_str_eq(mine, bdf);
		cr_assert_eq(in.minor, (unsigned int)m);
		close(fd);
	}
}

Test(info, library_lists_every_device)
{
	struct edudma_device **list;
	size_t n;

	cr_assert_eq(edudma_list(&list, &n), 0);
	cr_assert_eq(n, (size_t)lab_edu_count());
	cr_assert_null(list[n]);
	for (size_t i = 0; i < n; i++) {
		char bdf[32], want[32];
		int minor = edudma_device_minor(list[i]);

		cr_assert_eq(edudma_device_revision(list[i]), 0x10);
		cr_assert_eq(edudma_device_bar_size(list[i]), 1 << 20);
		cr_assert_geq(edudma_device_irq(list[i]), 0);
		cr_assert_str_eq(edudma_device_driver(list[i]), "edudma");
		cr_assert_geq(minor, 0);
		snprintf(want, sizeof(want), "/dev/edudma%d", minor);
		cr_assert_str_eq(edudma_device_node(list[i]), want);
		lab_bdf(minor, bdf, sizeof(bdf));
		cr_assert_str_eq(edudma_device_address(list[i]), bdf);
	}
	edudma_list_free(list);
}

Test(info, open_by_index_path_and_pci_address)
{
	struct edudma_info a, b, c;
	struct edudma *e;
	char bdf[32];

	lab_bdf(0, bdf, sizeof(bdf));
	cr_assert_eq(edudma_open("0", &e), 0);
	cr_assert_eq(edudma_get_info(e, &a), 0);
	edudma_close(e);
	cr_assert_eq(edudma_open("/dev/edudma0", &e), 0);
	cr_assert_eq(edudma_get_info(e, &b), 0);
	edudma_close(e);
	cr_assert_eq(edudma_open(bdf, &e), 0);
	cr_assert_eq(edudma_get_info(e, &c), 0);
	edudma_close(e);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	cr_assert_eq(memcmp(&a, &c, sizeof(a)), 0);
	cr_assert_eq(edudma_open("0000:7f:1f.7", &e), -ENODEV);
	cr_assert_eq(edudma_open("63", &e), -ENOENT);
	cr_assert_eq(edudma_open("not-a-device", &e), -EINVAL);
	cr_assert_eq(edudma_open("/dev/null", &e), -ENODEV);
	cr_assert_eq(edudma_open("/dev/edudma63", &e), -ENOENT);
}
