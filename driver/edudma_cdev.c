// SPDX-License-Identifier: GPL-2.0
/*
 * edudma char device: /dev/edudmaN. Per-open context, ioctl dispatch and
 * the validation of everything userspace passes in, poll. Every call that
 * reaches the hardware holds gone_lock for reading and fails with -ENODEV
 * once remove() has run.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/edudma.h>

#include "edudma.h"

/**
 * struct edudma_file - one open file of /dev/edudmaN
 * @edu: the device; the file holds a reference on @edu->dev
 */
struct edudma_file {
	struct edudma_dev *edu;
};

static int edudma_open(struct inode *inode, struct file *file)
{
	struct edudma_dev *edu = container_of(inode->i_cdev, struct edudma_dev, cdev);
	struct edudma_file *ctx;
	int ret = 0;

	down_read(&edu->gone_lock);
	if (edu->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	get_device(&edu->dev);
	ctx->edu = edu;
	file->private_data = ctx;
	ret = nonseekable_open(inode, file);
out_unlock:
	up_read(&edu->gone_lock);
	return ret;
}

static int edudma_release(struct inode *inode, struct file *file)
{
	struct edudma_file *ctx = file->private_data;

	put_device(&ctx->edu->dev);
	kfree(ctx);
	return 0;
}

static int edudma_ioc_get_info(struct edudma_dev *edu, void __user *uarg)
{
	struct edudma_info info = {
		.api_version = EDUDMA_API_VERSION,
		.ident = edu->ident,
		.caps = EDUDMA_CAP_FACTORIAL | EDUDMA_CAP_LIVENESS | EDUDMA_CAP_SELFTEST,
		.dma_mask_bits = edu->dma_bits,
		.irq_mode = edu->irq_mode,
		.window_addr = EDU_WINDOW_ADDR,
		.window_size = EDU_WINDOW_USABLE,
		.minor = edu->minor,
		.pci_domain = edu->pci_domain,
		.pci_bus = edu->pci_bus,
		.pci_dev = PCI_SLOT(edu->pci_devfn),
		.pci_fn = PCI_FUNC(edu->pci_devfn),
	};

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int edudma_ioc_factorial(struct edudma_dev *edu, void __user *uarg)
{
	struct edudma_factorial arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || (arg.flags & ~EDUDMA_FACTORIAL_WRAP))
		return -EINVAL;
	if (arg.n > EDUDMA_FACTORIAL_MAX_N)
		return -EINVAL;
	if (arg.n > EDUDMA_FACTORIAL_MAX_EXACT && !(arg.flags & EDUDMA_FACTORIAL_WRAP))
		return -EOVERFLOW;
	ret = edudma_hw_factorial(edu, arg.n, &arg.result);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int edudma_ioc_liveness(struct edudma_dev *edu, void __user *uarg)
{
	struct edudma_liveness arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	arg.result = edudma_hw_liveness(edu, arg.value);
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int edudma_ioc_selftest(struct edudma_dev *edu, void __user *uarg)
{
	struct edudma_selftest arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	ret = edudma_hw_selftest(edu, &arg.to_device_ns, &arg.from_device_ns);
	if (ret)
		return ret;
	arg.bytes = EDU_WINDOW_USABLE;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long edudma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edudma_file *ctx = file->private_data;
	struct edudma_dev *edu = ctx->edu;
	void __user *uarg = (void __user *)arg;
	int (*handler)(struct edudma_dev *edu, void __user *uarg);
	long ret;

	switch (cmd) {
	case EDUDMA_IOC_GET_INFO:
		handler = edudma_ioc_get_info;
		break;
	case EDUDMA_IOC_FACTORIAL:
		handler = edudma_ioc_factorial;
		break;
	case EDUDMA_IOC_LIVENESS:
		handler = edudma_ioc_liveness;
		break;
	case EDUDMA_IOC_SELFTEST:
		handler = edudma_ioc_selftest;
		break;
	default:
		return -ENOTTY;
	}

	if (down_read_killable(&edu->gone_lock))
		return -EINTR;
	ret = edu->gone ? -ENODEV : handler(edu, uarg);
	up_read(&edu->gone_lock);
	return ret;
}

static __poll_t edudma_poll(struct file *file, poll_table *wait)
{
	struct edudma_file *ctx = file->private_data;
	struct edudma_dev *edu = ctx->edu;

	poll_wait(file, &edu->hup_wq, wait);
	if (READ_ONCE(edu->gone))
		return EPOLLHUP | EPOLLERR;
	return 0;
}

const struct file_operations edudma_fops = {
	.owner = THIS_MODULE,
	.open = edudma_open,
	.release = edudma_release,
	.unlocked_ioctl = edudma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = edudma_poll,
	.llseek = no_llseek,
};
