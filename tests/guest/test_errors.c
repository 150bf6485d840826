// SPDX-License-Identifier: LGPL-2.1-or-later
/* Every error path of the char device, each with its exact errno. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

TestSuite(errors, .init = lab_init, .timeout = 30);

Test(errors, unknown_commands_are_enotty)
{
	static const unsigned long bad[] = {
		_IO(EDUDMA_IOC_MAGIC, 0x7f),
		_IOWR(EDUDMA_IOC_MAGIC, 0x04, struct edudma_factorial),
		_IOR(EDUDMA_IOC_MAGIC, 0x00, uint32_t),		/* GET_INFO, wrong size */
		_IOW(EDUDMA_IOC_MAGIC, 0x00, struct edudma_info),	/* wrong direction */
		_IOR(EDUDMA_IOC_MAGIC, 0x01, struct edudma_factorial),
		_IOWR(0xEC, 0x01, struct edudma_factorial),		/* wrong magic */
		_IOWR(EDUDMA_IOC_MAGIC, 0x02, uint64_t[2]),
		0,
	};
	struct edudma_info in;
	int fd = lab_open(0);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(lab_ioctl(fd, bad[i], &in), -ENOTTY, "cmd 0x%lx", bad[i]);
	close(fd);
}

Test(errors, bad_pointers_are_efault)
{
	static const unsigned long cmds[] = {
		EDUDMA_IOC_GET_INFO, EDUDMA_IOC_FACTORIAL, EDUDMA_IOC_LIVENESS, EDUDMA_IOC_SELFTEST,
	};
	int fd = lab_open(0);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		cr_assert_eq(lab_ioctl(fd, cmds[i], NULL), -EFAULT, "cmd 0x%lx", cmds[i]);
		cr_assert_eq(lab_ioctl(fd, cmds[i], (void *)16), -EFAULT, "cmd 0x%lx", cmds[i]);
	}
	close(fd);
}

Test(errors, read_write_seek_are_refused)
{
	char c;
	int fd = lab_open(0);

	cr_assert_eq(read(fd, &c, 1), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(write(fd, &c, 1), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), -1);
	cr_assert_eq(errno, ESPIPE);
	close(fd);
}

Test(errors, poll_on_a_live_device_is_quiet)
{
	struct pollfd p = { .fd = lab_open(0), .events = POLLIN | POLLOUT };

	cr_assert_eq(poll(&p, 1, 0), 0);
	cr_assert_eq(p.revents, 0);
	close(p.fd);
}

Test(errors, no_such_device_node)
{
	cr_assert_eq(open("/dev/edudma63", O_RDWR), -1);
	cr_assert_eq(errno, ENOENT);
}
