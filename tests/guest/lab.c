// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers for the in-guest Criterion suites. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab.h"

void lab_init(void)
{
	if (!getenv("EDUDMA_LAB"))
		cr_skip_test("not inside the edudma lab (run through qemu/run)");
}

int lab_edu_count(void)
{
	const char *s = getenv("EDUDMA_EDU_COUNT");

	return s ? atoi(s) : 1;
}

unsigned int lab_mask_bits(void)
{
	const char *s = getenv("EDUDMA_MASK_BITS");

	return s ? (unsigned int)atoi(s) : 28;
}

int lab_open(int minor)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/edudma%d", minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

void lab_bdf(int minor, char *bdf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/edudma/edudma%d/device", minor);
	n = readlink(path, target, sizeof(target) - 1);
	cr_assert(n > 0, "readlink %s: %s", path, strerror(errno));
	target[n] = '\0';
	snprintf(bdf, size, "%s", basename(target));
}

int lab_sysfs_driver(const char *what, const char *bdf)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/edudma/%s", what);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, bdf, strlen(bdf)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int lab_module_load(const char *params)
{
	const char *ko = getenv("EDUDMA_KO");
	int fd, ret = 0;

	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

int lab_module_unload(void)
{
	return syscall(SYS_delete_module, "edudma", O_NONBLOCK) ? -errno : 0;
}

int lab_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}
