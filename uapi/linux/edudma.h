/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edudma: DMA buffers and the DMA engine of the QEMU edu PCI device.
 *
 * The only contract between edudma.ko and userspace. Every structure has
 * fixed-width fields, explicit padding and a size that is a multiple of 8.
 * Fields named flags or pad are inputs that must be zero unless a flag is
 * defined for them: anything else fails with EINVAL. Unknown commands fail
 * with ENOTTY. The interface grows by adding commands; EDUDMA_IOC_GET_INFO
 * reports the API version and a capability bitmask.
 */
#ifndef _UAPI_LINUX_EDUDMA_H
#define _UAPI_LINUX_EDUDMA_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define EDUDMA_API_VERSION	1

/* Capability bits of struct edudma_info.caps. */
#define EDUDMA_CAP_FACTORIAL	_BITULL(0)	/* EDUDMA_IOC_FACTORIAL */
#define EDUDMA_CAP_LIVENESS	_BITULL(1)	/* EDUDMA_IOC_LIVENESS */
#define EDUDMA_CAP_SELFTEST	_BITULL(2)	/* EDUDMA_IOC_SELFTEST */

/* Values of struct edudma_info.irq_mode. */
#define EDUDMA_IRQ_INTX		1	/* legacy pin interrupt (INTA) */
#define EDUDMA_IRQ_MSI		2	/* one MSI vector */

/**
 * struct edudma_info - what EDUDMA_IOC_GET_INFO reports (all outputs)
 * @api_version: EDUDMA_API_VERSION of the running driver
 * @ident: the device's identification register (0x010000ed for edu 1.0)
 * @caps: EDUDMA_CAP_* bits of what this driver and device support
 * @dma_mask_bits: width of the DMA mask the driver set for the device
 * @irq_mode: EDUDMA_IRQ_INTX or EDUDMA_IRQ_MSI
 * @window_addr: device address of the device's DMA buffer
 * @window_size: largest transfer the device can take in one DMA command
 * @minor: N of /dev/edudmaN
 * @pci_domain: PCI domain (segment) of the device
 * @pci_bus: PCI bus number
 * @pci_dev: PCI device (slot) number
 * @pci_fn: PCI function number
 * @pad: zero
 */
struct edudma_info {
	__u32 api_version;
	__u32 ident;
	__aligned_u64 caps;
	__u32 dma_mask_bits;
	__u32 irq_mode;
	__aligned_u64 window_addr;
	__u32 window_size;
	__u32 minor;
	__u32 pci_domain;
	__u8 pci_bus;
	__u8 pci_dev;
	__u8 pci_fn;
	__u8 pad;
};

/*
 * The device multiplies in 32 bits: n! wraps for n >= 13. Without
 * EDUDMA_FACTORIAL_WRAP such an n fails with EOVERFLOW; with it, the
 * device's wrapped result (n! mod 2^32) is returned for n up to
 * EDUDMA_FACTORIAL_MAX_N, and larger n fail with EINVAL (the device spends
 * host CPU time linear in n).
 */
#define EDUDMA_FACTORIAL_MAX_EXACT	12
#define EDUDMA_FACTORIAL_MAX_N		65535
#define EDUDMA_FACTORIAL_WRAP		_BITUL(0)

/**
 * struct edudma_factorial - EDUDMA_IOC_FACTORIAL argument
 * @n: input: the number whose factorial the device computes
 * @flags: input: 0 or EDUDMA_FACTORIAL_WRAP
 * @result: output: n! (n! mod 2^32 with EDUDMA_FACTORIAL_WRAP)
 * @pad: input: zero
 */
struct edudma_factorial {
	__u32 n;
	__u32 flags;
	__u32 result;
	__u32 pad;
};

/**
 * struct edudma_liveness - EDUDMA_IOC_LIVENESS argument
 * @value: input: written to the device's liveness register
 * @result: output: what the device read back (~value when alive)
 */
struct edudma_liveness {
	__u32 value;
	__u32 result;
};

/**
 * struct edudma_selftest - EDUDMA_IOC_SELFTEST argument
 * @flags: input: zero
 * @bytes: output: bytes moved each way (one full device window)
 * @to_device_ns: output: time of the RAM to device DMA, interrupt included
 * @from_device_ns: output: time of the device to RAM DMA, interrupt included
 *
 * One interrupt-driven DMA round trip through a coherent buffer; the data
 * read back is compared with what was sent. EIO on a mismatch.
 */
struct edudma_selftest {
	__u32 flags;
	__u32 bytes;
	__aligned_u64 to_device_ns;
	__aligned_u64 from_device_ns;
};

#define EDUDMA_IOC_MAGIC	0xED

#define EDUDMA_IOC_GET_INFO	_IOR(EDUDMA_IOC_MAGIC, 0x00, struct edudma_info)
#define EDUDMA_IOC_FACTORIAL	_IOWR(EDUDMA_IOC_MAGIC, 0x01, struct edudma_factorial)
#define EDUDMA_IOC_LIVENESS	_IOWR(EDUDMA_IOC_MAGIC, 0x02, struct edudma_liveness)
#define EDUDMA_IOC_SELFTEST	_IOWR(EDUDMA_IOC_MAGIC, 0x03, struct edudma_selftest)

#endif /* _UAPI_LINUX_EDUDMA_H */
