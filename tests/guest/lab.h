/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the in-guest Criterion suites. */
#ifndef EDUDMA_TEST_LAB_H
#define EDUDMA_TEST_LAB_H

#include <stddef.h>

#include <criterion/criterion.h>

#include "libedudma.h"

/* Suite .init: skip unless inside the lab (qemu/run sets EDUDMA_LAB). */
void lab_init(void);
/* Number of edu devices the lab booted with. */
int lab_edu_count(void);
/* DMA mask width the lab set (EDUDMA_MASK_BITS). */
unsigned int lab_mask_bits(void);
/* open("/dev/edudmaN", O_RDWR | O_CLOEXEC), asserting success */
int lab_open(int minor);
/* the PCI address of /dev/edudmaN from sysfs, into bdf[16] */
void lab_bdf(int minor, char *bdf, size_t size);
/* write bdf to /sys/bus/pci/drivers/edudma/{bind,unbind}; 0 or -errno */
int lab_sysfs_driver(const char *what, const char *bdf);
/* load edudma.ko (EDUDMA_KO) with params; unload it: 0 or -errno */
int lab_module_load(const char *params);
int lab_module_unload(void);
/* ioctl returning 0 or -errno */
int lab_ioctl(int fd, unsigned long cmd, void *arg);

#endif
