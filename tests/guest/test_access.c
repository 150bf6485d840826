// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Access control as udev/60-edudma.rules sets it up: mode 0660, group
 * edudma. The guest has no udevd (and a read-only /etc), so the test
 * applies the rule's mode itself with a numeric group, then tries the
 * device as an unprivileged user with and without that group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

#define GROUP 4242
#define USER 65534

static void access_init(void)
{
	lab_init();
	cr_assert_eq(chown("/dev/edudma0", 0, GROUP), 0);
	cr_assert_eq(chmod("/dev/edudma0", 0660), 0);
}

static void access_fini(void)
{
	chown("/dev/edudma0", 0, 0);
	chmod("/dev/edudma0", 0600);
}

TestSuite(access, .init = access_init, .fini = access_fini, .timeout = 60);

/* fork, drop to USER with or without GROUP, run fn; its exit status */
static int as_user(bool in_group, int (*fn)(void))
{
	gid_t g = GROUP;
	int st;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (setgroups(in_group ? 1 : 0, &g) || setresgid(USER, USER, USER) ||
		    setresuid(USER, USER, USER))
			_exit(100);
		_exit(fn());
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int try_open(void)
{
	int fd = open("/dev/edudma0", O_RDWR);

	if (fd < 0)
		return errno == EACCES ? 2 : 3;
	close(fd);
	return 0;
}

/* what an unprivileged member may do, and what it may not see */
static int use_device(void)
{
	struct edudma_alloc a = { .size = 8192, .kind = EDUDMA_BUF_PAGES };
	struct edudma_buf_info bi = { 0 };
	struct edudma_seg seg;
	struct edudma_xfer x;
	int fd = open("/dev/edudma0", O_RDWR);
	uint8_t *p;

	if (fd < 0 || ioctl(fd, EDUDMA_IOC_ALLOC, &a))
		return 10;
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a.mmap_offset);
	if (p == MAP_FAILED)
		return 11;
	for (int i = 0; i < 8192; i++)
		if (p[i])
			return 12;	/* a new buffer reads zero */
	bi.handle = a.handle;
	if (ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi))
		return 13;
	bi.segs_ptr = (uintptr_t)&seg;
	bi.segs_count = 1;
	if (ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi) != -1 || errno != EPERM)
		return 14;	/* no bus addresses for the unprivileged */
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = a.handle,
				  .dst_handle = a.handle, .dst_offset = 4096, .length = 100 };
	memset(p, 7, 100);
	if (ioctl(fd, EDUDMA_IOC_XFER, &x) || memcmp(p, p + 4096, 100))
		return 15;
	close(fd);
	return 0;
}

Test(access, group_members_get_in)
{
	cr_assert_eq(as_user(true, try_open), 0);
	cr_assert_eq(as_user(true, use_device), 0);
}

Test(access, others_are_refused)
{
	cr_assert_eq(as_user(false, try_open), 2, "not EACCES");
}

/* sysfs statistics show every user's activity: root only */
static int read_stats(void)
{
	int fd = open("/sys/class/edudma/edudma0/stats/bytes", O_RDONLY);

	return fd < 0 && errno == EACCES ? 0 : 1;
}

Test(access, sysfs_stats_are_root_only)
{
	char buf[32];
	int fd = open("/sys/class/edudma/edudma0/stats/bytes", O_RDONLY);

	cr_assert_geq(fd, 0, "root reads them: %s", strerror(errno));
	cr_assert_gt(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	cr_assert_eq(as_user(true, read_stats), 0, "a group member read them");
}

static int write_param(void)
{
	int fd = open("/sys/module/edudma/parameters/max_buffer_size", O_WRONLY);

	return fd < 0 && errno == EACCES ? 0 : 1;
}

Test(access, module_parameters_stay_root_only)
{
	cr_assert_eq(as_user(true, write_param), 0);
}
