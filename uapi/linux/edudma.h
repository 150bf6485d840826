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

/*
 * 2: mmap offsets are allocated (below 2^44), no longer handle << 40;
 * PROT_EXEC mappings are refused; handles per open file are capped.
 */
#define EDUDMA_API_VERSION	2

/* Capability bits of struct edudma_info.caps. */
#define EDUDMA_CAP_FACTORIAL	_BITULL(0)	/* EDUDMA_IOC_FACTORIAL */
#define EDUDMA_CAP_LIVENESS	_BITULL(1)	/* EDUDMA_IOC_LIVENESS */
#define EDUDMA_CAP_SELFTEST	_BITULL(2)	/* EDUDMA_IOC_SELFTEST */
#define EDUDMA_CAP_BUFFERS	_BITULL(3)	/* ALLOC, FREE, BUF_INFO, SYNC, mmap */
#define EDUDMA_CAP_STATS	_BITULL(4)	/* EDUDMA_IOC_STATS */
#define EDUDMA_CAP_XFER		_BITULL(5)	/* XFER, WAIT, poll */
#define EDUDMA_CAP_DMABUF	_BITULL(6)	/* EXPORT, IMPORT */
#define EDUDMA_CAP_USER_MEMORY	_BITULL(7)	/* EDUDMA_IOC_REGISTER */
#define EDUDMA_CAP_URING	_BITULL(8)	/* EDUDMA_URING_CMD_XFER */
/* io_uring cancels transfers in flight when their ring or task goes (6.7+) */
#define EDUDMA_CAP_URING_CANCEL	_BITULL(9)
/* edudma_xfer.timeout_ms is a deadline for ASYNC and io_uring transfers too */
#define EDUDMA_CAP_XFER_TIMEOUT	_BITULL(10)

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

/* Buffer kinds: struct edudma_alloc.kind */
#define EDUDMA_BUF_AUTO		0	/* driver's choice, reported back */
#define EDUDMA_BUF_COHERENT	1	/* dma_alloc_coherent: contiguous, capped */
#define EDUDMA_BUF_PAGES	2	/* page allocator blocks, scatter-gather */
#define EDUDMA_BUF_VMALLOC_SG	3	/* vmalloc, scatter-gather over its pages */
#define EDUDMA_BUF_KINDS	4	/* kinds ALLOC takes are below this */
#define EDUDMA_BUF_IMPORTED	4	/* reported only: a dma-buf from EDUDMA_IOC_IMPORT */
#define EDUDMA_BUF_USER		5	/* reported only: memory from EDUDMA_IOC_REGISTER */
/*
 * Entries of struct edudma_stats' per-kind arrays: [0] all kinds, then
 * COHERENT, PAGES and VMALLOC_SG. Fixed with the struct's layout: a kind
 * added later is counted in [0] only (EDUDMA_BUF_IMPORTED never is).
 */
#define EDUDMA_STATS_KINDS	4

/*
 * mmap offset of a buffer: the mmap_offset that ALLOC, IMPORT and BUF_INFO
 * return. It is page-aligned, at least 2^32 (a 32-bit program needs a
 * 64-bit off_t: _FILE_OFFSET_BITS=64), below 2^44 (a 32-bit process reaches
 * it through mmap2's page offset) and names the buffer's pages in the device
 * node: a mapping may start at any page of the buffer, at mmap_offset plus
 * the page-aligned offset into it. Offsets are not derived from handles
 * (API version 1 used handle << 40); EDUDMA_MMAP_SHIFT stays so that old
 * code compiles, and is the mmap size limit of an import (2^44 bytes).
 */
#define EDUDMA_MMAP_SHIFT	44

/**
 * struct edudma_alloc - EDUDMA_IOC_ALLOC argument
 * @size: input: bytes, at least 1; output: the size, rounded up to pages
 * @kind: input: EDUDMA_BUF_*; output: the kind actually used
 * @flags: input: zero
 * @handle: output: the buffer's handle in this open file (never 0)
 * @nr_segments: output: DMA segments of the buffer as the device sees it
 *	(bounced ranges count as segments too)
 * @mmap_offset: output: the offset to pass to mmap() for this buffer
 *
 * The buffer is zeroed, mapped for the device for its whole life and
 * charged to the caller. Errors: EINVAL (size 0, unknown kind, flags),
 * EFBIG (size above the max_buffer_size parameter), EDQUOT (the open
 * file's or the device's limit), ENOMEM (no memory of a suitable kind).
 */
struct edudma_alloc {
	__aligned_u64 size;
	__u32 kind;
	__u32 flags;
	__u32 handle;
	__u32 nr_segments;
	__aligned_u64 mmap_offset;
};

/**
 * struct edudma_free - EDUDMA_IOC_FREE argument
 * @handle: input: the buffer's handle; ENOENT if this file has no such
 * @flags: input: zero
 *
 * Drops the handle. The memory lives on while a mapping or a transfer
 * still uses it.
 */
struct edudma_free {
	__u32 handle;
	__u32 flags;
};

/**
 * struct edudma_seg - one DMA segment, for EDUDMA_IOC_BUF_INFO
 * @dma_addr: bus address the device uses; ~0 for a bounced range
 * @len: bytes
 * @offset: where the segment starts in the buffer
 */
struct edudma_seg {
	__aligned_u64 dma_addr;
	__aligned_u64 len;
	__aligned_u64 offset;
};

/**
 * struct edudma_buf_info - EDUDMA_IOC_BUF_INFO argument
 * @handle: input: the buffer's handle
 * @flags: input: zero
 * @kind: output: EDUDMA_BUF_COHERENT, _PAGES, _VMALLOC_SG, _IMPORTED or _USER
 * @nr_segments: output: DMA segments
 * @size: output: bytes
 * @mmap_offset: output: offset for mmap()
 * @bounce_bytes: output: bytes the device cannot reach directly; transfers
 *	of them go through the driver's own bounce buffer
 * @segs_ptr: input: 0, or a user pointer to @segs_count struct edudma_seg
 *	to fill (needs CAP_SYS_ADMIN: EPERM otherwise)
 * @segs_count: input: room at @segs_ptr
 * @pad: input: zero
 */
struct edudma_buf_info {
	__u32 handle;
	__u32 flags;
	__u32 kind;
	__u32 nr_segments;
	__aligned_u64 size;
	__aligned_u64 mmap_offset;
	__aligned_u64 bounce_bytes;
	__aligned_u64 segs_ptr;
	__u32 segs_count;
	__u32 pad;
};

/* struct edudma_sync.flags: exactly one of START and END */
#define EDUDMA_SYNC_START	_BITUL(0)	/* the CPU starts accessing */
#define EDUDMA_SYNC_END		_BITUL(1)	/* the CPU is done */

/* struct edudma_sync.direction: which way the data goes */
#define EDUDMA_DIR_TO_DEVICE	1
#define EDUDMA_DIR_FROM_DEVICE	2
#define EDUDMA_DIR_BIDIRECTIONAL 3

/**
 * struct edudma_sync - EDUDMA_IOC_SYNC argument
 * @handle: input: the buffer's handle
 * @flags: input: EDUDMA_SYNC_START or EDUDMA_SYNC_END
 * @direction: input: EDUDMA_DIR_*
 * @pad: input: zero
 * @offset: input: first byte of the range
 * @length: input: bytes, at least 1; the range must lie in the buffer
 *
 * Brackets CPU access to a buffer the device also uses (the driver itself
 * syncs around its own transfers). Does nothing where the mapping is
 * coherent.
 */
struct edudma_sync {
	__u32 handle;
	__u32 flags;
	__u32 direction;
	__u32 pad;
	__aligned_u64 offset;
	__aligned_u64 length;
};

/**
 * struct edudma_stats - EDUDMA_IOC_STATS: per-device counters (outputs)
 * @buffers: live buffers; [0] all kinds, [EDUDMA_BUF_*] per kind (imported
 *	dma-bufs are not counted: their memory belongs to their exporter)
 * @bytes: live buffer bytes; same indexing
 * @peak_bytes: highest @bytes[0] seen
 * @bounce_bytes: live bytes the device reaches only through the bounce path
 * @allocs: buffers allocated since probe
 * @alloc_failures: allocations that failed for lack of memory
 * @map_failures: DMA mapping failures (each one fell back or failed)
 * @xfers: transfers finished, successfully or not
 * @xfer_bytes: payload bytes of successful transfers (a COPY counts once)
 * @dma_commands: DMA commands issued to the device
 * @busy_ns: device busy time: each command's start to its completion
 *	interrupt, summed
 * @chain_ns: completion interrupt to the next command's start, summed over
 *	the commands started from the interrupt handler
 * @chained: commands started from the interrupt handler
 * @xfer_errors: transfers that failed (timeout, cancelled, device gone)
 * @timeouts: commands whose completion never came within timeout_ms
 * @scrubs: window scrubs (a reader's first command after another file wrote)
 * @bounce_copies: bytes copied through the driver's bounce buffer
 */
struct edudma_stats {
	__aligned_u64 buffers[EDUDMA_STATS_KINDS];
	__aligned_u64 bytes[EDUDMA_STATS_KINDS];
	__aligned_u64 peak_bytes;
	__aligned_u64 bounce_bytes;
	__aligned_u64 allocs;
	__aligned_u64 alloc_failures;
	__aligned_u64 map_failures;
	__aligned_u64 xfers;
	__aligned_u64 xfer_bytes;
	__aligned_u64 dma_commands;
	__aligned_u64 busy_ns;
	__aligned_u64 chain_ns;
	__aligned_u64 chained;
	__aligned_u64 xfer_errors;
	__aligned_u64 timeouts;
	__aligned_u64 scrubs;
	__aligned_u64 bounce_copies;
};

/* struct edudma_xfer.op */
#define EDUDMA_XFER_TO_DEVICE	1	/* buffer range -> device window */
#define EDUDMA_XFER_FROM_DEVICE	2	/* device window -> buffer range */
#define EDUDMA_XFER_COPY	3	/* source range -> device -> destination range */

/* struct edudma_xfer.flags */
#define EDUDMA_XFER_ASYNC	_BITUL(0)	/* queue it and return its seq */

/**
 * struct edudma_xfer - EDUDMA_IOC_XFER argument
 * @op: input: EDUDMA_XFER_*
 * @flags: input: 0 (wait for the transfer) or EDUDMA_XFER_ASYNC
 * @src_handle: input: TO_DEVICE and COPY: the source buffer; else 0
 * @dst_handle: input: FROM_DEVICE and COPY: the destination buffer; else 0
 * @src_offset: input: first byte of the source range (0 if no source)
 * @dst_offset: input: first byte of the destination range (0 if none)
 * @length: input: bytes, at least 1; each range must lie in its buffer, and
 *	COPY ranges in one buffer must not overlap
 * @timeout_ms: input: 0 (no limit), or the transfer's deadline in ms from
 *	its submission: one still unfinished then is cancelled (at its next
 *	chunk boundary if running) and ends with ETIMEDOUT: the ioctl's
 *	return, WAIT's status, or the CQE's res. Without
 *	EDUDMA_CAP_XFER_TIMEOUT, blocking mode only (EINVAL with ASYNC).
 * @pad: input: zero
 * @seq: output: the transfer's sequence number in this open file
 * @commands: output (blocking): DMA commands the transfer took
 * @device_ns: output (blocking): its first command's start to its last
 *	command's completion
 *
 * The device has one window of edudma_info.window_size usable bytes (4095;
 * 4096 with the module's full_window on QEMU 10): the driver splits a
 * transfer into chunks that never cross a break in the buffer's bus
 * addresses, each filling the window when it can, and chains them from
 * the completion interrupt. TO_DEVICE leaves the last chunk in the window.
 * FROM_DEVICE fills each chunk from the window's start, so a transfer
 * longer than the window repeats it. The window is shared by every open
 * file of the device: a file reading it after another file wrote it reads
 * zeroes (the driver scrubs it first), never the other file's data.
 * Errors: EINVAL (op, flags, handles given or missing, pad, ranges),
 * ENOENT (no such handle), EAGAIN (too many transfers outstanding),
 * ETIMEDOUT, EINTR (fatal signal: the transfer is cancelled), ENODEV,
 * ECANCELED.
 */
struct edudma_xfer {
	__u32 op;
	__u32 flags;
	__u32 src_handle;
	__u32 dst_handle;
	__aligned_u64 src_offset;
	__aligned_u64 dst_offset;
	__aligned_u64 length;
	__u32 timeout_ms;
	__u32 pad;
	__aligned_u64 seq;
	__aligned_u64 commands;
	__aligned_u64 device_ns;
};

/**
 * struct edudma_export - EDUDMA_IOC_EXPORT argument: a buffer as a dma-buf
 * @handle: input: the buffer's handle (EDUDMA_BUF_PAGES or _VMALLOC_SG)
 * @flags: input: zero
 * @fd: output: a new dma-buf file descriptor, O_RDWR | O_CLOEXEC
 * @pad: input: zero
 *
 * The dma-buf holds the buffer: it stays valid memory after EDUDMA_IOC_FREE,
 * after the device file is closed and after the device is removed, until
 * the last dma-buf reference (fd, mapping, importer) is gone. It can be
 * mmapped (MAP_SHARED only), bracketed with DMA_BUF_IOCTL_SYNC and imported
 * by other devices and drivers. A buffer has one dma-buf while its handle
 * lives: every call returns a new fd of that same dma-buf. Errors:
 * EINVAL (flags, pad), ENOENT (no such handle), EOPNOTSUPP (a COHERENT
 * buffer: its memory goes back to the device at removal, which a dma-buf
 * importer could not survive; or an imported buffer: export its own fd),
 * EMFILE, ENOMEM.
 */
struct edudma_export {
	__u32 handle;
	__u32 flags;
	__s32 fd;
	__u32 pad;
};

/**
 * struct edudma_import - EDUDMA_IOC_IMPORT argument: a dma-buf as a buffer
 * @fd: input: a dma-buf file descriptor (from EDUDMA_IOC_EXPORT of any
 *	edudma device, a dma-buf heap, udmabuf, ...)
 * @flags: input: zero
 * @size: output: the dma-buf's size
 * @handle: output: a handle of kind EDUDMA_BUF_IMPORTED in this open file,
 *	usable in EDUDMA_IOC_XFER, _SYNC, _BUF_INFO, _FREE and mmap()
 * @nr_segments: output: DMA segments of the device's mapping of it
 * @mmap_offset: output: mmap() at this offset maps the dma-buf itself
 *
 * The device attaches to the dma-buf and maps it for as long as a handle of
 * it lives (or until the device is removed); all imports of one dma-buf on
 * one device share that mapping. The handle holds a reference on the
 * dma-buf. Not charged against max_file_bytes or max_device_bytes: the
 * exporter owns the memory. Errors: EINVAL (flags, not a dma-buf, a
 * mapping that does not cover the dma-buf), EBADF, EFBIG (above
 * 2^EDUDMA_MMAP_SHIFT bytes), EOPNOTSUPP (the device's DMA mask does not
 * reach all of memory and no IOMMU translates for it: the exporter could
 * hand it pages it cannot reach), EIO (the mapping has an address beyond
 * the mask), ENOMEM, and whatever the exporter's attach or map fails with.
 */
struct edudma_import {
	__s32 fd;
	__u32 flags;
	__aligned_u64 size;
	__u32 handle;
	__u32 nr_segments;
	__aligned_u64 mmap_offset;
};

/* struct edudma_register.flags */
#define EDUDMA_REGISTER_READONLY _BITUL(0)	/* the device only reads it */

/**
 * struct edudma_register - EDUDMA_IOC_REGISTER argument: user memory as a
 *	buffer
 * @addr: input: first byte of the range, any alignment
 * @length: input: bytes, at least 1, at most the max_buffer_size parameter
 * @flags: input: 0 (the device reads and writes the range) or
 *	EDUDMA_REGISTER_READONLY (transfers may only read it: TO_DEVICE and
 *	COPY source; as a destination EACCES)
 * @pad: input: zero
 * @handle: output: a handle of kind EDUDMA_BUF_USER in this open file,
 *	usable in EDUDMA_IOC_XFER, _SYNC, _BUF_INFO and _FREE; its size is
 *	@length and transfer offsets count from @addr
 * @nr_segments: output: DMA segments of the device's mapping of it
 *
 * The range's pages are pinned once, long-term, for as long as the
 * handle (or a transfer using it) lives, and mapped for the device; the
 * pages the device may write are marked dirty when they are unpinned.
 * Anonymous (malloc'd), memfd/shmem and hugetlb memory can be registered.
 * The pinned pages stay the buffer's whatever happens to the mapping: after
 * munmap() or mremap() of the range transfers still reach the old pages,
 * and after fork() the parent keeps them (the child gets copies). The
 * buffer cannot be mmapped (BUF_INFO reports mmap_offset 0) or exported:
 * the memory is already the caller's. The pinned bytes are charged to the
 * caller's RLIMIT_MEMLOCK (mm->pinned_vm, as RDMA charges them) unless it
 * has CAP_IPC_LOCK; not to max_file_bytes or max_device_bytes.
 * Errors: EINVAL (flags, pad, length 0, a range that wraps), EFBIG
 * (length above max_buffer_size), ENOMEM (RLIMIT_MEMLOCK exceeded, or no
 * memory), EFAULT (a range that is not all mapped, is mapped without write
 * permission and not registered read-only, or is memory that cannot be
 * pinned: I/O and PFN mappings such as a mapped COHERENT buffer), and the
 * kernel's own errno for memory it refuses to pin long-term (EOPNOTSUPP
 * for file-system DAX), EINTR (a fatal signal while pinning), EMFILE. A
 * failed call leaves nothing pinned or charged.
 */
struct edudma_register {
	__aligned_u64 addr;
	__aligned_u64 length;
	__u32 flags;
	__u32 pad;
	__u32 handle;
	__u32 nr_segments;
};

#define EDUDMA_WAIT_FOREVER	0xffffffffU

/**
 * struct edudma_wait - EDUDMA_IOC_WAIT argument: reap an async transfer
 * @seq: input: the transfer to wait for, or 0 for whichever finishes first
 * @timeout_ms: input: 0: do not sleep (EAGAIN if none finished);
 *	EDUDMA_WAIT_FOREVER: no limit (still killable); else ETIMEDOUT after it
 * @flags: input: zero
 * @status: output: 0, or the transfer's negative errno
 * @pad: input: zero
 * @done_seq: output: the transfer reaped
 * @commands: output: its DMA commands
 * @device_ns: output: its first command's start to its last completion
 * @length: output: its length
 *
 * ENOENT if @seq is not outstanding in this file (never submitted, or
 * reaped already), or if @seq is 0 and nothing is outstanding.
 */
struct edudma_wait {
	__aligned_u64 seq;
	__u32 timeout_ms;
	__u32 flags;
	__s32 status;
	__u32 pad;
	__aligned_u64 done_seq;
	__aligned_u64 commands;
	__aligned_u64 device_ns;
	__aligned_u64 length;
};

#define EDUDMA_IOC_MAGIC	0xED

#define EDUDMA_IOC_GET_INFO	_IOR(EDUDMA_IOC_MAGIC, 0x00, struct edudma_info)
#define EDUDMA_IOC_FACTORIAL	_IOWR(EDUDMA_IOC_MAGIC, 0x01, struct edudma_factorial)
#define EDUDMA_IOC_LIVENESS	_IOWR(EDUDMA_IOC_MAGIC, 0x02, struct edudma_liveness)
#define EDUDMA_IOC_SELFTEST	_IOWR(EDUDMA_IOC_MAGIC, 0x03, struct edudma_selftest)
#define EDUDMA_IOC_STATS	_IOR(EDUDMA_IOC_MAGIC, 0x04, struct edudma_stats)
#define EDUDMA_IOC_ALLOC	_IOWR(EDUDMA_IOC_MAGIC, 0x10, struct edudma_alloc)
#define EDUDMA_IOC_FREE		_IOW(EDUDMA_IOC_MAGIC, 0x11, struct edudma_free)
#define EDUDMA_IOC_BUF_INFO	_IOWR(EDUDMA_IOC_MAGIC, 0x12, struct edudma_buf_info)
#define EDUDMA_IOC_SYNC		_IOW(EDUDMA_IOC_MAGIC, 0x13, struct edudma_sync)
#define EDUDMA_IOC_EXPORT	_IOWR(EDUDMA_IOC_MAGIC, 0x14, struct edudma_export)
#define EDUDMA_IOC_IMPORT	_IOWR(EDUDMA_IOC_MAGIC, 0x15, struct edudma_import)
#define EDUDMA_IOC_REGISTER	_IOWR(EDUDMA_IOC_MAGIC, 0x16, struct edudma_register)
#define EDUDMA_IOC_XFER		_IOWR(EDUDMA_IOC_MAGIC, 0x20, struct edudma_xfer)
#define EDUDMA_IOC_WAIT		_IOWR(EDUDMA_IOC_MAGIC, 0x21, struct edudma_wait)

/*
 * io_uring: sqe->opcode IORING_OP_URING_CMD on an edudma fd, in a ring set
 * up with IORING_SETUP_SQE128 (EINVAL otherwise), sqe->cmd_op one of these.
 *
 * EDUDMA_URING_CMD_XFER: sqe->cmd holds a struct edudma_xfer, checked as
 * EDUDMA_IOC_XFER checks it (same errnos in cqe->res), with flags 0
 * (EINVAL otherwise; the CQE is the completion) and timeout_ms its
 * deadline (EINVAL unless 0 without EDUDMA_CAP_XFER_TIMEOUT). Transfers of
 * one file run in submission order, io_uring's and the ioctl's together,
 * up to the same per-file limit (EAGAIN). cqe->res: the DMA commands the
 * transfer took (at least 1), or its negative errno (ECANCELED when its
 * ring or task went away meanwhile: EDUDMA_CAP_URING_CANCEL). With
 * IORING_SETUP_CQE32, cqe->big_cqe[0] is its device time in ns.
 * Unknown cmd_op: ENOTTY.
 */
#define EDUDMA_URING_CMD_XFER	_IOWR(EDUDMA_IOC_MAGIC, 0x30, struct edudma_xfer)

#endif /* _UAPI_LINUX_EDUDMA_H */
