// SPDX-License-Identifier: GPL-2.0
/*
 * edudma hardware layer: the edu device's registers, its interrupt, the
 * factorial and liveness units and one DMA command at a time. Knows
 * nothing of buffers or files.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>

#include <uapi/linux/edudma.h>

#include "edudma.h"

#ifndef writeq
#error "edudma needs 64-bit MMIO writes (the DMA address registers' high halves are not decoded)"
#endif

static u32 edudma_rd(struct edudma_dev *edu, unsigned int reg)
{
	return ioread32(edu->regs + reg);
}

static void edudma_wr(struct edudma_dev *edu, unsigned int reg, u32 val)
{
	iowrite32(val, edu->regs + reg);
}

/* The DMA address registers take one 8-byte write: see LAB-NOTES. */
static void edudma_wr64(struct edudma_dev *edu, unsigned int reg, u64 val)
{
	writeq(val, edu->regs + reg);
}

/**
 * edudma_hw_dma_state() - what the DMA engine is doing
 * @edu: the device
 *
 * Return: EDUDMA_HW_IDLE, EDUDMA_HW_BUSY, or EDUDMA_HW_GONE when the
 * command register reads all ones (a removed device, or one that stopped
 * decoding its BAR).
 */
enum edudma_hw_state edudma_hw_dma_state(struct edudma_dev *edu)
{
	u32 cmd = edudma_rd(edu, EDU_REG_DMA_CMD);

#ifdef EDUDMA_FAULT_INJECTION
	/* debugfs fake_dma_state: a command that never ends (1), a gone device (2) */
	if (edu->fake_dma_state)
		return edu->fake_dma_state == 1 ? EDUDMA_HW_BUSY : EDUDMA_HW_GONE;
#endif
	if (cmd == ~0U)
		return EDUDMA_HW_GONE;
	return cmd & EDU_DMA_CMD_START ? EDUDMA_HW_BUSY : EDUDMA_HW_IDLE;
}

/**
 * edudma_hw_dma_wait_idle() - poll until the DMA engine is idle
 * @edu: the device
 *
 * The device cannot abort a command, so whoever owns memory a command may
 * still touch calls this before letting go of it. A command takes 100 ms
 * of guest time; this gives it ten times that. Sleeps.
 *
 * Return: true once idle, false if it stayed busy or reads as gone.
 */
bool edudma_hw_dma_wait_idle(struct edudma_dev *edu)
{
	unsigned long end = jiffies + msecs_to_jiffies(1000);

	for (;;) {
		switch (edudma_hw_dma_state(edu)) {
		case EDUDMA_HW_IDLE:
			return true;
		case EDUDMA_HW_GONE:
			return false;
		case EDUDMA_HW_BUSY:
			break;
		}
		if (time_after(jiffies, end))
			return false;
		usleep_range(1000, 2000);
	}
}

static bool edudma_hw_irq_take(struct edudma_dev *edu, u32 bits)
{
	bool seen;

	spin_lock_irq(&edu->irq_lock);
	seen = edu->irq_pending & bits;
	edu->irq_pending &= ~bits;
	spin_unlock_irq(&edu->irq_lock);
	return seen;
}

/**
 * edudma_hw_init() - bring the device to a known state at probe
 * @edu: the device
 *
 * The edu device has no reset: a factorial or DMA command started before
 * this driver was bound may still run, and interrupt status may be left
 * over. Wait for both units to go idle and acknowledge everything.
 *
 * Return: 0, or -EBUSY if the device stays busy.
 */
int edudma_hw_init(struct edudma_dev *edu)
{
	unsigned long end = jiffies + msecs_to_jiffies(edudma_timeout_ms);

	if (!edudma_hw_dma_wait_idle(edu))
		return -EBUSY;
	while (edudma_rd(edu, EDU_REG_STATUS) & EDU_STATUS_COMPUTING) {
		if (time_after(jiffies, end))
			return -EBUSY;
		usleep_range(1000, 2000);
	}
	edudma_wr(edu, EDU_REG_STATUS, 0);
	edudma_wr(edu, EDU_REG_IRQ_ACK, edudma_rd(edu, EDU_REG_IRQ_STATUS));
	return 0;
}

/**
 * edudma_hw_quiesce() - stop the device raising interrupts and doing DMA
 * @edu: the device
 *
 * Called at remove and shutdown, once no caller can start new work.
 */
void edudma_hw_quiesce(struct edudma_dev *edu)
{
	edudma_wr(edu, EDU_REG_STATUS, 0);
	if (!edudma_hw_dma_wait_idle(edu))
		dev_warn(&edu->dev, "DMA engine still busy at quiesce\n");
	edudma_wr(edu, EDU_REG_IRQ_ACK, edudma_rd(edu, EDU_REG_IRQ_STATUS));
}

/**
 * edudma_hw_irq_ack() - read and acknowledge the interrupt status
 * @edu: the device
 *
 * The device needs the acknowledge even with MSI.
 *
 * Return: the status bits acknowledged; 0 when the device raised nothing
 * (another device's shared INTx) or reads all ones (it is gone).
 */
u32 edudma_hw_irq_ack(struct edudma_dev *edu)
{
	u32 status = edudma_rd(edu, EDU_REG_IRQ_STATUS);

#ifdef EDUDMA_FAULT_INJECTION
	/* a stuck or gone device raises nothing */
	if (edu->fake_dma_state)
		return 0;
#endif
	if (!status || status == ~0U)
		return 0;
	edudma_wr(edu, EDU_REG_IRQ_ACK, status);
	return status;
}

/**
 * edudma_hw_irq_deliver() - hand interrupt status bits to their waiters
 * @edu: the device
 * @status: bits from edudma_hw_irq_ack(); any context
 */
void edudma_hw_irq_deliver(struct edudma_dev *edu, u32 status)
{
	unsigned long flags;

	spin_lock_irqsave(&edu->irq_lock, flags);
	edu->irq_pending |= status;
	spin_unlock_irqrestore(&edu->irq_lock, flags);
	wake_up_all(&edu->wq);
}

/**
 * edudma_hw_dma_ack() - acknowledge a DMA completion nobody handled
 * @edu: the device
 *
 * For the watchdog: once it has given up on a command, a late interrupt
 * must not be taken for the next command's.
 *
 * Return: true if a completion was pending.
 */
bool edudma_hw_dma_ack(struct edudma_dev *edu)
{
	u32 status = edudma_rd(edu, EDU_REG_IRQ_STATUS);

	if (status == ~0U || !(status & EDU_IRQ_DMA))
		return false;
	edudma_wr(edu, EDU_REG_IRQ_ACK, EDU_IRQ_DMA);
	return true;
}

/**
 * edudma_hw_factorial() - compute n! on the device, interrupt driven
 * @edu: the device
 * @n: the input
 * @result: where the device's 32-bit result goes
 *
 * Return: 0, -EINTR on a fatal signal, -ETIMEDOUT if the device did not
 * finish within the timeout.
 */
int edudma_hw_factorial(struct edudma_dev *edu, u32 n, u32 *result)
{
	unsigned long end = jiffies + msecs_to_jiffies(edudma_timeout_ms);
	long left;
	int ret;

	if (mutex_lock_killable(&edu->fact_lock))
		return -EINTR;
	/*
	 * A caller killed while waiting leaves the unit running; a write to
	 * the factorial register is ignored until it is done.
	 */
	while (edudma_rd(edu, EDU_REG_STATUS) & EDU_STATUS_COMPUTING) {
		if (time_after(jiffies, end)) {
			ret = -ETIMEDOUT;
			goto out_unlock;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_unlock;
		}
		usleep_range(100, 200);
	}
	edudma_hw_irq_take(edu, EDU_IRQ_FACTORIAL);
	edudma_wr(edu, EDU_REG_STATUS, EDU_STATUS_FACT_IRQ);
	edudma_wr(edu, EDU_REG_FACTORIAL, n);
	/*
	 * The device clears COMPUTING just before it raises the interrupt, so
	 * an interrupt left from a killed caller's computation can be seen
	 * here; only an interrupt with COMPUTING clear means our result.
	 */
	for (;;) {
		left = end - jiffies;
		if (left <= 0)
			left = 1;
		left = wait_event_killable_timeout(edu->wq,
						   edudma_hw_irq_take(edu, EDU_IRQ_FACTORIAL),
						   left);
		if (left < 0) {
			ret = -EINTR;
			goto out_unlock;
		}
		if (!(edudma_rd(edu, EDU_REG_STATUS) & EDU_STATUS_COMPUTING))
			break;
		if (!left || time_after(jiffies, end)) {
			ret = -ETIMEDOUT;
			goto out_unlock;
		}
	}
	*result = edudma_rd(edu, EDU_REG_FACTORIAL);
	ret = 0;
out_unlock:
	mutex_unlock(&edu->fact_lock);
	return ret;
}

/**
 * edudma_hw_liveness() - write the liveness register and read it back
 * @edu: the device
 * @value: what to write
 *
 * Return: what the device returned, ~@value when it works.
 */
u32 edudma_hw_liveness(struct edudma_dev *edu, u32 value)
{
	u32 result;

	/* one register for every caller: the write and its read go together */
	spin_lock(&edu->live_lock);
	edudma_wr(edu, EDU_REG_LIVENESS, value);
	result = edudma_rd(edu, EDU_REG_LIVENESS);
	spin_unlock(&edu->live_lock);
	return result;
}

/* program one command; @irq: raise the completion interrupt */
static void edudma_hw_dma_issue(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram,
				bool irq)
{
	u32 cmd = EDU_DMA_CMD_START | (irq ? EDU_DMA_CMD_IRQ : 0);

	if (to_ram) {
		edudma_wr64(edu, EDU_REG_DMA_SRC, EDU_WINDOW_ADDR);
		edudma_wr64(edu, EDU_REG_DMA_DST, ram);
		cmd |= EDU_DMA_CMD_TO_RAM;
	} else {
		edudma_wr64(edu, EDU_REG_DMA_SRC, ram);
		edudma_wr64(edu, EDU_REG_DMA_DST, EDU_WINDOW_ADDR);
	}
	edudma_wr(edu, EDU_REG_DMA_COUNT, len);
	edudma_wr(edu, EDU_REG_DMA_CMD, cmd);
}

/**
 * edudma_hw_dma_start() - start one DMA command with a completion interrupt
 * @edu: the device, with @edu->xfer_lock held and the engine idle
 * @ram: bus address of the RAM side, reachable by the device
 * @len: bytes, 1..@edu->window; the device side is the window start
 * @to_ram: true for device to RAM, false for RAM to device
 *
 * One of the two places a DMA command is issued (the other is
 * edudma_hw_dma_run(), at probe). Both refuse any length that would make
 * QEMU 7.2 abort (unless told the device is newer: full_window).
 *
 * Return: 0, or -EINVAL for a length out of range (a driver bug).
 */
int edudma_hw_dma_start(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram)
{
	lockdep_assert_held(&edu->xfer_lock);
	if (WARN_ON_ONCE(!len || len > edu->window))
		return -EINVAL;
	edudma_hw_dma_issue(edu, ram, len, to_ram, true);
	return 0;
}

/**
 * edudma_hw_dma_run() - one DMA command, without interrupt, waited for
 * @edu: the device, before its interrupt and transfer engine are set up
 * @ram: bus address of the RAM side
 * @len: bytes, 1..@edu->window; the device side is the window start
 * @to_ram: true for device to RAM, false for RAM to device
 *
 * For probe. Sleeps (polls the engine, 100 ms of guest time).
 *
 * Return: 0, -EINVAL (length out of range), -ETIMEDOUT (still busy).
 */
int edudma_hw_dma_run(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram)
{
	if (WARN_ON_ONCE(!len || len > edu->window))
		return -EINVAL;
	edudma_hw_dma_issue(edu, ram, len, to_ram, false);
	return edudma_hw_dma_wait_idle(edu) ? 0 : -ETIMEDOUT;
}
