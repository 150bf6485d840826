// SPDX-License-Identifier: LGPL-2.1-or-later
/* Module lifetime and interrupt modes: rmmod while in use, forced INTx. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

TestSuite(module, .init = lab_init, .timeout = 90);

static void check_device(int minor, uint32_t irq_mode)
{
	struct edudma_info in;
	struct edudma_factorial f = { .n = 11 };
	struct edudma_selftest st = { 0 };
	int fd = lab_open(minor);

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &in), 0);
	cr_assert_eq(in.irq_mode, irq_mode, "device %d irq mode %u", minor, in.irq_mode);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_FACTORIAL, &f), 0);
	cr_assert_eq(f.result, 39916800);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), 0);
	close(fd);
}

static const char *default_params(void)
{
	const char *p = getenv("EDUDMA_KO_PARAMS");

	return p ? p : "";
}

Test(module, rmmod_is_refused_while_a_file_is_open)
{
	int fd = lab_open(0);

	cr_assert_eq(lab_module_unload(), -EWOULDBLOCK);
	close(fd);
	check_device(0, EDUDMA_IRQ_MSI);
}

Test(module, forced_intx_then_msi_again)
{
	char params[256];

	cr_assert_eq(lab_module_unload(), 0);
	snprintf(params, sizeof(params), "%s force_intx=1", default_params());
	cr_assert_eq(lab_module_load(params), 0);
	for (int m = 0; m < lab_edu_count(); m++)
		check_device(m, EDUDMA_IRQ_INTX);
	cr_assert_eq(lab_module_unload(), 0);
	cr_assert_eq(lab_module_load(default_params()), 0);
	for (int m = 0; m < lab_edu_count(); m++)
		check_device(m, EDUDMA_IRQ_MSI);
}

Test(module, bad_parameters_fail_the_probe_not_the_guest)
{
	char params[256];
	int fd;

	cr_assert_eq(lab_module_unload(), 0);
	/* the module loads, but no device binds with an impossible mask */
	cr_assert_eq(lab_module_load("dma_bits=8"), 0);
	fd = open("/dev/edudma0", O_RDWR);
	cr_assert_eq(fd, -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(lab_module_unload(), 0);
	snprintf(params, sizeof(params), "%s", default_params());
	cr_assert_eq(lab_module_load(params), 0);
	check_device(0, EDUDMA_IRQ_MSI);
}

static unsigned int mask_bits_of(int minor)
{
	struct edudma_info in;
	int fd = lab_open(minor);

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &in), 0);
	close(fd);
	return in.dma_mask_bits;
}

/* the lab's devices, with the lab's parameters, as at the start */
static void reload_default(void)
{
	lab_module_unload();
	cr_assert_eq(lab_module_load(default_params()), 0);
	check_device(0, EDUDMA_IRQ_MSI);
}

/*
 * dma_bits=0 measures how far the device's DMA reaches: the lab's QEMU
 * dma_mask (28 bits, or 64). Without an IOMMU only.
 */
Test(module, dma_bits_0_measures_the_device_reach)
{
	unsigned int want = lab_iommu() ? 28 : lab_mask_bits();

	cr_assert_eq(lab_module_unload(), 0);
	cr_assert_eq(lab_module_load("dma_bits=0"), 0);
	for (int m = 0; m < lab_edu_count(); m++) {
		cr_assert_eq(mask_bits_of(m), want, "device %d: %u bits", m, mask_bits_of(m));
		check_device(m, EDUDMA_IRQ_MSI);
	}
	reload_default();
}

/*
 * A mask wider than the device honours would let it corrupt RAM (it
 * clamps addresses): refused at probe. A narrower one is always fine.
 */
Test(module, dma_bits_wider_than_the_device_is_refused)
{
	FILE *f;
	char line[512];
	bool said = false;
	int fd;

	cr_assert_eq(lab_module_unload(), 0);
	if (lab_mask_bits() == 64) {
		cr_assert_eq(lab_module_load("dma_bits=28"), 0);
		cr_assert_eq(mask_bits_of(0), 28);
		check_device(0, EDUDMA_IRQ_MSI);
		reload_default();
		return;
	}
	cr_assert_eq(lab_module_load("dma_bits=64"), 0);
	fd = open("/dev/edudma0", O_RDWR);
	cr_assert_eq(fd, -1, "a 64-bit mask was accepted on a %u-bit device", lab_mask_bits());
	cr_assert_eq(errno, ENOENT);
	f = popen("dmesg | tail -50", "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		said |= strstr(line, "does not honour a 64-bit DMA mask") != NULL;
	pclose(f);
	cr_assert(said, "the kernel log says why");
	reload_default();
}

Test(module, hundred_load_use_unload_cycles, .timeout = 900)
{
	for (int i = 0; i < 100; i++) {
		struct edudma_alloc a = { .size = 4096, .kind = i % 2 ? EDUDMA_BUF_COHERENT :
									 EDUDMA_BUF_PAGES };
		struct edudma_liveness l = { .value = (uint32_t)i };
		uint8_t *p;
		int fd;

		cr_assert_eq(lab_module_unload(), 0, "cycle %d", i);
		cr_assert_eq(lab_module_load(default_params()), 0, "cycle %d", i);
		fd = lab_open(i % lab_edu_count());
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_LIVENESS, &l), 0);
		cr_assert_eq(l.result, ~(uint32_t)i);
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_ALLOC, &a), 0);
		p = lab_mmap(fd, &a, 0, 4096);
		cr_assert_neq(p, MAP_FAILED);
		p[0] = 1;
		/* the mapping outlives the file; rmmod waits for neither */
		close(fd);
		cr_assert_eq(lab_module_unload(), -EWOULDBLOCK, "a mapping pins the module");
		cr_assert_eq(munmap(p, 4096), 0);
	}
	cr_assert_eq(lab_module_unload(), 0);
	cr_assert_eq(lab_module_load(default_params()), 0);
	check_device(0, EDUDMA_IRQ_MSI);
}
