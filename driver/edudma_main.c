// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: DMA buffers and the DMA engine of the QEMU edu PCI device
 * (1234:11e8). PCI glue: module parameters, probe, remove, shutdown and
 * the numbering of /dev/edudmaN.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/ioport.h>
#include <linux/random.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <uapi/linux/edudma.h>

#include "edudma.h"
#include "edudma_compat.h"

#define CREATE_TRACE_POINTS
#include "edudma_trace.h"

#define EDUDMA_VENDOR_ID	0x1234
#define EDUDMA_DEVICE_ID	0x11e8

static unsigned int dma_bits;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA mask width in bits, 20..64, or 0 (default) to measure the device's reach at probe. A width the device does not honour (it silently clamps wider addresses) is refused.");

static bool force_intx;
module_param(force_intx, bool, 0444);
MODULE_PARM_DESC(force_intx, "Use the INTx pin interrupt even where MSI works (default off)");

static bool full_window;
module_param(full_window, bool, 0444);
MODULE_PARM_DESC(full_window,
		 "DMA commands of 4096 bytes, the whole device window: QEMU 10's edu device only; QEMU 7.2 aborts on them (default off: 4095)");

/* a DMA command takes 100 ms of guest time: below 10 ms nothing completes */
#define EDUDMA_TIMEOUT_MIN_MS	10
#define EDUDMA_TIMEOUT_MAX_MS	600000

static int edudma_param_set_timeout(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret = kstrtouint(val, 0, &ms);

	if (ret)
		return ret;
	if (ms < EDUDMA_TIMEOUT_MIN_MS || ms > EDUDMA_TIMEOUT_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

static const struct kernel_param_ops edudma_timeout_ops = {
	.set = edudma_param_set_timeout,
	.get = param_get_uint,
};

unsigned int edudma_timeout_ms = 1000;
module_param_cb(timeout_ms, &edudma_timeout_ops, &edudma_timeout_ms, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "Time a factorial or one DMA command may take before it fails with ETIMEDOUT, in ms, 10..600000 (default 1000; a DMA command takes 100 ms; one still running after ten times this gives the device up)");

/* byte limits are whole pages: what is allocated, and what is charged */
static int edudma_param_set_bytes(const char *val, const struct kernel_param *kp)
{
	unsigned long bytes;
	int ret = kstrtoul(val, 0, &bytes);

	if (ret)
		return ret;
	WRITE_ONCE(*(unsigned long *)kp->arg, bytes & PAGE_MASK);
	return 0;
}

static const struct kernel_param_ops edudma_bytes_ops = {
	.set = edudma_param_set_bytes,
	.get = param_get_ulong,
};

/* 0 at load: three quarters of RAM, computed in edudma_init() */
unsigned long edudma_max_buffer_size;
module_param_cb(max_buffer_size, &edudma_bytes_ops, &edudma_max_buffer_size, 0644);
MODULE_PARM_DESC(max_buffer_size,
		 "Largest single buffer in bytes, rounded down to pages; larger requests (after rounding up to pages) fail with EFBIG (default: 3/4 of RAM)");

unsigned long edudma_max_file_bytes;
module_param_cb(max_file_bytes, &edudma_bytes_ops, &edudma_max_file_bytes, 0644);
MODULE_PARM_DESC(max_file_bytes,
		 "Bytes of live buffers one open file may hold, rounded down to pages; beyond: EDQUOT (default: 3/4 of RAM)");

unsigned long edudma_max_device_bytes;
module_param_cb(max_device_bytes, &edudma_bytes_ops, &edudma_max_device_bytes, 0644);
MODULE_PARM_DESC(max_device_bytes,
		 "Bytes of live buffers on one device, rounded down to pages; beyond: EDQUOT (default: 3/4 of RAM)");

unsigned int edudma_max_file_handles = 65536;
module_param_named(max_file_handles, edudma_max_file_handles, uint, 0644);
MODULE_PARM_DESC(max_file_handles,
		 "Handles (buffers and imports) one open file may hold; beyond: EMFILE (default 65536)");

static dev_t edudma_devt;
static struct dentry *edudma_debugfs;

static struct class edudma_class = {
	.name = KBUILD_MODNAME,
};

static DEFINE_IDA(edudma_ida);

static ssize_t edudma_stat_show(struct device *dev, char *page, size_t off)
{
	struct edudma_dev *edu = container_of(dev, struct edudma_dev, dev);
	u64 v;

	unsigned long flags;

	spin_lock(&edu->stats_lock);
	spin_lock_irqsave(&edu->xfer_lock, flags);
	v = *(u64 *)((u8 *)&edu->stats + off);
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	spin_unlock(&edu->stats_lock);
	return sysfs_emit(page, "%llu\n", v);
}

#define EDUDMA_STAT_ATTR(name, field)						\
static ssize_t name##_show(struct device *dev, struct device_attribute *attr,	\
			   char *page)						\
{										\
	return edudma_stat_show(dev, page, offsetof(struct edudma_stats, field));	\
}										\
static DEVICE_ATTR_ADMIN_RO(name)

EDUDMA_STAT_ATTR(buffers, buffers[0]);
EDUDMA_STAT_ATTR(buffers_coherent, buffers[EDUDMA_BUF_COHERENT]);
EDUDMA_STAT_ATTR(buffers_pages, buffers[EDUDMA_BUF_PAGES]);
EDUDMA_STAT_ATTR(buffers_vmalloc_sg, buffers[EDUDMA_BUF_VMALLOC_SG]);
EDUDMA_STAT_ATTR(bytes, bytes[0]);
EDUDMA_STAT_ATTR(bytes_coherent, bytes[EDUDMA_BUF_COHERENT]);
EDUDMA_STAT_ATTR(bytes_pages, bytes[EDUDMA_BUF_PAGES]);
EDUDMA_STAT_ATTR(bytes_vmalloc_sg, bytes[EDUDMA_BUF_VMALLOC_SG]);
EDUDMA_STAT_ATTR(peak_bytes, peak_bytes);
EDUDMA_STAT_ATTR(bounce_bytes, bounce_bytes);
EDUDMA_STAT_ATTR(allocs, allocs);
EDUDMA_STAT_ATTR(alloc_failures, alloc_failures);
EDUDMA_STAT_ATTR(map_failures, map_failures);
EDUDMA_STAT_ATTR(xfers, xfers);
EDUDMA_STAT_ATTR(xfer_bytes, xfer_bytes);
EDUDMA_STAT_ATTR(dma_commands, dma_commands);
EDUDMA_STAT_ATTR(busy_ns, busy_ns);
EDUDMA_STAT_ATTR(chain_ns, chain_ns);
EDUDMA_STAT_ATTR(chained, chained);
EDUDMA_STAT_ATTR(xfer_errors, xfer_errors);
EDUDMA_STAT_ATTR(timeouts, timeouts);
EDUDMA_STAT_ATTR(scrubs, scrubs);
EDUDMA_STAT_ATTR(bounce_copies, bounce_copies);

static struct attribute *edudma_stats_attrs[] = {
	&dev_attr_buffers.attr,
	&dev_attr_buffers_coherent.attr,
	&dev_attr_buffers_pages.attr,
	&dev_attr_buffers_vmalloc_sg.attr,
	&dev_attr_bytes.attr,
	&dev_attr_bytes_coherent.attr,
	&dev_attr_bytes_pages.attr,
	&dev_attr_bytes_vmalloc_sg.attr,
	&dev_attr_peak_bytes.attr,
	&dev_attr_bounce_bytes.attr,
	&dev_attr_allocs.attr,
	&dev_attr_alloc_failures.attr,
	&dev_attr_map_failures.attr,
	&dev_attr_xfers.attr,
	&dev_attr_xfer_bytes.attr,
	&dev_attr_dma_commands.attr,
	&dev_attr_busy_ns.attr,
	&dev_attr_chain_ns.attr,
	&dev_attr_chained.attr,
	&dev_attr_xfer_errors.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_scrubs.attr,
	&dev_attr_bounce_copies.attr,
	NULL
};

static const struct attribute_group edudma_stats_group = {
	.name = "stats",
	.attrs = edudma_stats_attrs,
};

static const struct attribute_group *edudma_groups[] = {
	&edudma_stats_group,
	NULL
};

static void edudma_dev_release(struct device *dev)
{
	struct edudma_dev *edu = container_of(dev, struct edudma_dev, dev);

	ida_destroy(&edu->handle_ida);
	mtree_destroy(&edu->offsets);
	mutex_destroy(&edu->offset_lock);
	mutex_destroy(&edu->buf_lock);
	mutex_destroy(&edu->import_lock);
	pci_dev_put(edu->pdev);
	kfree(edu);
}

static void edudma_put_action(void *data)
{
	struct edudma_dev *edu = data;

	put_device(&edu->dev);
}

static void edudma_xfer_fini_action(void *data)
{
	edudma_xfer_shutdown(data);
	edudma_xfer_fini(data);
}

static int edudma_setup_irq(struct edudma_dev *edu)
{
	struct pci_dev *pdev = edu->pdev;
	unsigned int types = force_intx ? PCI_IRQ_INTX : PCI_IRQ_MSI | PCI_IRQ_INTX;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, types);
	if (ret < 0)
		return ret;
	edu->irq = pci_irq_vector(pdev, 0);
	edu->irq_mode = pdev->msi_enabled ? EDUDMA_IRQ_MSI : EDUDMA_IRQ_INTX;
	ret = devm_request_irq(&pdev->dev, edu->irq, edudma_xfer_irq,
			       pdev->msi_enabled ? 0 : IRQF_SHARED, dev_name(&edu->dev), edu);
	if (ret)
		pci_free_irq_vectors(pdev);
	return ret;
}

/* the edu device's own default dma_mask; the width used without a probe */
#define EDUDMA_DEFAULT_BITS	28
#define EDUDMA_PROBE_LOW_BITS	24

/*
 * Does the device honour address bit @bit? It reads the RAM page at
 * @low + 2^@bit into its window, and writes the window back into the page
 * after @low. A device that clamps addresses to fewer bits (the edu
 * device ANDs them with its dma_mask) reads @low itself, so the page
 * after it comes back equal to @low's random bytes. Only RAM the driver
 * does not own is read, never written.
 */
static int edudma_probe_bit(struct edudma_dev *edu, u8 *cpu, dma_addr_t low, unsigned int bit,
			    bool *honoured)
{
	int ret;

	get_random_bytes(cpu, EDU_WINDOW_SAFE);
	memset(cpu + PAGE_SIZE, 0, EDU_WINDOW_SAFE);
	ret = edudma_hw_dma_run(edu, low + BIT_ULL(bit), EDU_WINDOW_SAFE, false);
	if (!ret)
		ret = edudma_hw_dma_run(edu, low + PAGE_SIZE, EDU_WINDOW_SAFE, true);
	*honoured = memcmp(cpu, cpu + PAGE_SIZE, EDU_WINDOW_SAFE);
	/* the lab matches this with QEMU's "EDU: clamping DMA" line */
	if (!ret && !*honoured)
		dev_info(&edu->pdev->dev,
			 "DMA reach: address bit %u dropped: the read of %#018llx came from %#018llx\n",
			 bit, (u64)low + BIT_ULL(bit), (u64)low);
	return ret;
}

/* can bit @bit be probed from @low: the page at @low + 2^@bit is RAM */
static bool edudma_probe_can(dma_addr_t low, unsigned int bit)
{
	return BIT_ULL(bit) > low && bit < 63 && page_is_ram(PHYS_PFN(low + BIT_ULL(bit)));
}

/*
 * The DMA mask width to use: @want bits (0: find the widest the device
 * honours). Without an IOMMU a bus address is a physical one, so the
 * device's reach can be measured with reads of RAM (edudma_probe_bit());
 * only bits that RAM addresses use matter, as dma-direct never hands out
 * anything else. Behind an IOMMU the probe would read unmapped IOVAs, so
 * @want is trusted and the default is the edu device's own 28 bits.
 */
static int edudma_dma_reach(struct edudma_dev *edu, unsigned int want, unsigned int *bits)
{
	struct device *dev = &edu->pdev->dev;
	unsigned int top, lo, hi, bit;
	bool honoured = true;
	dma_addr_t low;
	u8 *cpu;
	int ret;

	*bits = want ? want : EDUDMA_DEFAULT_BITS;
	if (edudma_dma_translated(dev))
		return 0;
	/* the highest address bit RAM uses */
	top = fls64(dma_get_required_mask(dev)) - 1;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDUDMA_PROBE_LOW_BITS));
	if (ret)
		return ret;
	cpu = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &low, GFP_KERNEL);
	if (!cpu)
		return -ENOMEM;
	if (want) {
		/* the highest bit an address under a @want-bit mask can have */
		bit = min(want - 1, top);
		if (edudma_probe_can(low, bit))
			ret = edudma_probe_bit(edu, cpu, low, bit, &honoured);
		if (!ret && !honoured) {
			dev_err(dev,
				"the device does not honour a %u-bit DMA mask (address bit %u is dropped): load edudma with dma_bits=0, or give the device a wider dma_mask\n",
				want, bit);
			ret = -EINVAL;
		}
		goto out_free;
	}
	/* the widest: a binary search for the lowest bit the device drops */
	if (!edudma_probe_can(low, top)) {
		dev_info(dev, "cannot measure the DMA reach: using %u bits\n", *bits);
		goto out_free;
	}
	*bits = 64;
	lo = EDUDMA_PROBE_LOW_BITS;
	hi = top;
	while (lo <= hi) {
		bit = lo + (hi - lo) / 2;
		/* a bit that cannot be measured counts as dropped: bounce, never corrupt */
		honoured = false;
		if (edudma_probe_can(low, bit)) {
			ret = edudma_probe_bit(edu, cpu, low, bit, &honoured);
			if (ret)
				break;
		}
		if (honoured) {
			lo = bit + 1;
		} else {
			*bits = bit;
			hi = bit - 1;
		}
	}
out_free:
	dma_free_coherent(dev, 2 * PAGE_SIZE, cpu, low);
	return ret;
}

static int edudma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edudma_dev *edu;
	int ret;

	if (dma_bits && (dma_bits < 20 || dma_bits > 64)) {
		dev_err(&pdev->dev, "dma_bits=%u out of range 20..64 (or 0)\n", dma_bits);
		return -EINVAL;
	}
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	/* everything edudma_dev_release() tears down exists before it can run */
	init_rwsem(&edu->gone_lock);
	init_waitqueue_head(&edu->wq);
	init_waitqueue_head(&edu->hup_wq);
	spin_lock_init(&edu->irq_lock);
	mutex_init(&edu->fact_lock);
	spin_lock_init(&edu->live_lock);
	mutex_init(&edu->buf_lock);
	INIT_LIST_HEAD(&edu->bufs);
	init_waitqueue_head(&edu->bufs_wq);
	mutex_init(&edu->offset_lock);
	mt_init_flags(&edu->offsets, MT_FLAGS_ALLOC_RANGE);
	mutex_init(&edu->import_lock);
	INIT_LIST_HEAD(&edu->imports);
	ida_init(&edu->handle_ida);
	spin_lock_init(&edu->stats_lock);
	edu->pdev = pci_dev_get(pdev);
	device_initialize(&edu->dev);
	edu->dev.release = edudma_dev_release;
	/* the device reference from device_initialize() goes at detach */
	ret = devm_add_action_or_reset(&pdev->dev, edudma_put_action, edu);
	if (ret)
		return ret;

	edu->regs = pcim_iomap_table(pdev)[0];
	edu->pci_domain = pci_domain_nr(pdev->bus);
	edu->pci_bus = pdev->bus->number;
	edu->pci_devfn = pdev->devfn;
	edu->window = full_window ? EDU_WINDOW_SIZE : EDU_WINDOW_SAFE;

	edu->ident = ioread32(edu->regs + EDU_REG_IDENT);
	if ((edu->ident & 0xff) != EDU_IDENT_MAGIC) {
		dev_err(&pdev->dev, "unexpected ident 0x%08x\n", edu->ident);
		return -ENODEV;
	}
	pci_set_master(pdev);
	ret = edudma_hw_init(edu);
	if (ret) {
		dev_err(&pdev->dev, "device stays busy\n");
		return ret;
	}
	ret = edudma_dma_reach(edu, dma_bits, &edu->dma_bits);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(edu->dma_bits));
	if (ret) {
		dev_err(&pdev->dev, "cannot set a %u-bit DMA mask\n", edu->dma_bits);
		return ret;
	}
	/* the driver splits transfers itself: segments may be any length */
	ret = edudma_dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	if (ret)
		return ret;
	ret = edudma_xfer_init(edu);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(&pdev->dev, edudma_xfer_fini_action, edu);
	if (ret)
		return ret;

	ret = ida_alloc_max(&edudma_ida, EDUDMA_MAX_DEVICES - 1, GFP_KERNEL);
	if (ret < 0)
		return ret;
	edu->minor = ret;
	edu->dev.class = &edudma_class;
	edu->dev.groups = edudma_groups;
	edu->dev.parent = &pdev->dev;
	edu->dev.devt = MKDEV(MAJOR(edudma_devt), edu->minor);
	ret = dev_set_name(&edu->dev, "edudma%d", edu->minor);
	if (ret)
		goto err_free_minor;

	ret = edudma_setup_irq(edu);
	if (ret) {
		dev_err(&pdev->dev, "cannot set up an interrupt: %d\n", ret);
		goto err_free_minor;
	}

	cdev_init(&edu->cdev, &edudma_fops);
	edu->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&edu->cdev, &edu->dev);
	if (ret)
		goto err_free_minor;
	pci_set_drvdata(pdev, edu);
	edu->debugfs = debugfs_create_dir(dev_name(&edu->dev), edudma_debugfs);
	edudma_xfer_debugfs(edu, edu->debugfs);
#ifdef EDUDMA_FAULT_INJECTION
	debugfs_create_u32("drop_irqs", 0600, edu->debugfs, &edu->drop_irqs);
	debugfs_create_u32("fake_dma_state", 0600, edu->debugfs, &edu->fake_dma_state);
	debugfs_create_u32("submit_delay_ms", 0600, edu->debugfs, &edu->submit_delay_ms);
#endif
	dev_info(&edu->dev, "edu %u.%u at %s, %s, %u-bit DMA, %u-byte commands\n",
		 edu->ident >> 24, (edu->ident >> 16) & 0xff, pci_name(pdev),
		 edu->irq_mode == EDUDMA_IRQ_MSI ? "MSI" : "INTx", edu->dma_bits, edu->window);
	return 0;

err_free_minor:
	ida_free(&edudma_ida, edu->minor);
	return ret;
}

static void edudma_remove(struct pci_dev *pdev)
{
	struct edudma_dev *edu = pci_get_drvdata(pdev);

	cdev_device_del(&edu->cdev, &edu->dev);
	/* waits for every call in progress; later ones see gone */
	down_write(&edu->gone_lock);
	WRITE_ONCE(edu->gone, true);
	up_write(&edu->gone_lock);
	wake_up_all(&edu->hup_wq);
	edudma_xfer_shutdown(edu);
	edudma_hw_quiesce(edu);
	/* no DMA from here on: then memory the device used can go */
	pci_clear_master(pdev);
	edudma_xfer_fini(edu);
	edudma_bufs_revoke(edu);
	debugfs_remove_recursive(edu->debugfs);
	ida_free(&edudma_ida, edu->minor);
	/* devres then frees the IRQ and drops the probe's reference on edu */
}

static void edudma_shutdown(struct pci_dev *pdev)
{
	struct edudma_dev *edu = pci_get_drvdata(pdev);

	if (!edu)
		return;
	down_write(&edu->gone_lock);
	WRITE_ONCE(edu->gone, true);
	up_write(&edu->gone_lock);
	edudma_xfer_shutdown(edu);
	edudma_hw_quiesce(edu);
	pci_clear_master(pdev);
}

static const struct pci_device_id edudma_ids[] = {
	{ PCI_DEVICE(EDUDMA_VENDOR_ID, EDUDMA_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edudma_ids);

static struct pci_driver edudma_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edudma_ids,
	.probe = edudma_probe,
	.remove = edudma_remove,
	.shutdown = edudma_shutdown,
};

static int __init edudma_init(void)
{
	int ret;

	unsigned long ram = ((totalram_pages() << PAGE_SHIFT) / 4 * 3) & PAGE_MASK;

	if (!edudma_max_buffer_size)
		edudma_max_buffer_size = ram;
	if (!edudma_max_file_bytes)
		edudma_max_file_bytes = ram;
	if (!edudma_max_device_bytes)
		edudma_max_device_bytes = ram;
	ret = alloc_chrdev_region(&edudma_devt, 0, EDUDMA_MAX_DEVICES, KBUILD_MODNAME);
	if (ret)
		return ret;
	ret = class_register(&edudma_class);
	if (ret)
		goto err_unregister_region;
	edudma_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = pci_register_driver(&edudma_driver);
	if (ret)
		goto err_remove_debugfs;
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(edudma_debugfs);
	class_unregister(&edudma_class);
err_unregister_region:
	unregister_chrdev_region(edudma_devt, EDUDMA_MAX_DEVICES);
	return ret;
}

static void __exit edudma_exit(void)
{
	pci_unregister_driver(&edudma_driver);
	debugfs_remove_recursive(edudma_debugfs);
	class_unregister(&edudma_class);
	unregister_chrdev_region(edudma_devt, EDUDMA_MAX_DEVICES);
	ida_destroy(&edudma_ida);
}

module_init(edudma_init);
module_exit(edudma_exit);

MODULE_DESCRIPTION("DMA buffers and DMA engine of the QEMU edu PCI device");
MODULE_AUTHOR("The edudma authors");
MODULE_LICENSE("GPL");
