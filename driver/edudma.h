/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma internal definitions: the hardware layer (edudma_hw.c), the char
 * device (edudma_cdev.c) and the PCI glue (edudma_main.c).
 */
#ifndef EDUDMA_H
#define EDUDMA_H

#include <linux/bits.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#define EDUDMA_MAX_DEVICES	64

/* BAR0 registers of the edu device (QEMU docs/specs/edu.txt) */
#define EDU_REG_IDENT		0x00
#define EDU_REG_LIVENESS	0x04
#define EDU_REG_FACTORIAL	0x08
#define EDU_REG_STATUS		0x20
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_IDENT_MAGIC		0xed	/* low byte of the ident register */
#define EDU_STATUS_COMPUTING	BIT(0)
#define EDU_STATUS_FACT_IRQ	BIT(7)
#define EDU_IRQ_FACTORIAL	BIT(0)
#define EDU_IRQ_DMA		BIT(8)
#define EDU_DMA_CMD_START	BIT(0)
#define EDU_DMA_CMD_TO_RAM	BIT(1)
#define EDU_DMA_CMD_IRQ		BIT(2)

/* The device's own DMA buffer: 4096 bytes at this device address. */
#define EDU_WINDOW_ADDR		0x40000
/*
 * QEMU 7.2's range check is off by one and aborts QEMU for a transfer
 * that touches the window's last byte, so one command moves at most
 * 4095 bytes, always starting at the window's first byte.
 */
#define EDU_WINDOW_USABLE	4095

/**
 * struct edudma_dev - one edu device and its /dev/edudmaN
 * @dev: the char device's struct device; its release frees this structure,
 *	so it lives until the last open file is gone, not until remove()
 * @cdev: the char device
 * @pdev: the PCI device; not to be used once @gone is set
 * @regs: BAR0; not to be used once @gone is set
 * @minor: N of /dev/edudmaN
 * @irq: Linux IRQ number
 * @irq_mode: EDUDMA_IRQ_MSI or EDUDMA_IRQ_INTX
 * @ident: the ident register, read at probe
 * @dma_bits: width of the DMA mask set at probe
 * @pci_domain: PCI domain, cached at probe
 * @pci_bus: PCI bus, cached at probe
 * @pci_devfn: PCI devfn, cached at probe
 * @gone_lock: protects @gone; held for reading by every call that touches
 *	the hardware, for writing by remove() to cut them off
 * @gone: the device was removed; every later call fails with -ENODEV
 * @wq: woken by the interrupt handler
 * @hup_wq: woken at remove() so that pollers see EPOLLHUP
 * @irq_lock: protects @irq_pending
 * @irq_pending: interrupt status bits acknowledged by the handler and not
 *	yet consumed by a waiter
 * @fact_lock: serializes the factorial unit
 * @dma_lock: serializes the DMA engine
 */
struct edudma_dev {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	void __iomem *regs;
	int minor;
	int irq;
	u32 irq_mode;
	u32 ident;
	u32 dma_bits;
	u32 pci_domain;
	u8 pci_bus;
	u8 pci_devfn;

	struct rw_semaphore gone_lock;	/* protects gone */
	bool gone;

	wait_queue_head_t wq;
	wait_queue_head_t hup_wq;
	spinlock_t irq_lock;		/* protects irq_pending */
	u32 irq_pending;

	struct mutex fact_lock;		/* serializes the factorial unit */
	struct mutex dma_lock;		/* serializes the DMA engine */
};

extern unsigned int edudma_timeout_ms;

/* edudma_hw.c: registers, interrupts, factorial, liveness, one DMA command */
int edudma_hw_init(struct edudma_dev *edu);
void edudma_hw_quiesce(struct edudma_dev *edu);
irqreturn_t edudma_hw_irq(int irq, void *data);
int edudma_hw_factorial(struct edudma_dev *edu, u32 n, u32 *result);
u32 edudma_hw_liveness(struct edudma_dev *edu, u32 value);
int edudma_hw_dma_start(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram);
int edudma_hw_dma_wait(struct edudma_dev *edu);
int edudma_hw_selftest(struct edudma_dev *edu, u64 *to_ns, u64 *from_ns);

/* edudma_cdev.c: /dev/edudmaN */
extern const struct file_operations edudma_fops;

#endif /* EDUDMA_H */
