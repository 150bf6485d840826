/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma hardware layer (edudma_hw.c): the edu device's registers, its
 * DMA engine one command at a time, factorial, liveness. Knows nothing of
 * buffers or files.
 */
#ifndef EDUDMA_HW_H
#define EDUDMA_HW_H

#include <linux/bits.h>
#include <linux/types.h>

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
#define EDU_WINDOW_SIZE		4096
/*
 * QEMU 7.2's range check is off by one and aborts QEMU for a transfer
 * that touches the window's last byte, so by default one command moves at
 * most 4095 bytes, always starting at the window's first byte. QEMU 10's
 * device takes the whole window (QEMU commit "hw: misc: edu: fix 2
 * off-by-one errors"); the device cannot tell which it is, so using it is
 * the full_window parameter's choice (struct edudma_dev.window).
 */
#define EDU_WINDOW_SAFE		4095

struct edudma_dev;

enum edudma_hw_state {
	EDUDMA_HW_IDLE,
	EDUDMA_HW_BUSY,
	EDUDMA_HW_GONE,
};

enum edudma_hw_state edudma_hw_dma_state(struct edudma_dev *edu);
int edudma_hw_init(struct edudma_dev *edu);
void edudma_hw_quiesce(struct edudma_dev *edu);
u32 edudma_hw_irq_ack(struct edudma_dev *edu);
void edudma_hw_irq_deliver(struct edudma_dev *edu, u32 status);
int edudma_hw_factorial(struct edudma_dev *edu, u32 n, u32 *result);
u32 edudma_hw_liveness(struct edudma_dev *edu, u32 value);
int edudma_hw_dma_start(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram);
int edudma_hw_dma_run(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram);
bool edudma_hw_dma_wait_idle(struct edudma_dev *edu);
bool edudma_hw_dma_ack(struct edudma_dev *edu);

#endif /* EDUDMA_HW_H */
