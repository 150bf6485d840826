/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma and dma-buf (edudma_dmabuf.c): buffers as dma-bufs, dma-bufs as
 * buffers (the import backend), implicit-sync fences. Beside the
 * transfer engine, above the buffers.
 */
#ifndef EDUDMA_DMABUF_H
#define EDUDMA_DMABUF_H

#include <linux/types.h>

struct dma_buf;
struct dma_fence;
struct edudma_buf;
struct edudma_dev;
struct inode;

int edudma_dmabuf_export(struct edudma_buf *buf, struct dma_buf **out);
void edudma_dmabuf_unexport(struct edudma_buf *buf);
struct edudma_buf *edudma_dmabuf_import(struct edudma_dev *edu, int fd, struct inode *inode);
int edudma_dmabuf_fence_wait(struct edudma_buf *buf, bool write);
bool edudma_dmabuf_fenced(struct edudma_buf *buf);
int edudma_dmabuf_fence_add(struct edudma_buf *buf, struct dma_fence *fence, bool write);
int edudma_dmabuf_dev_access(struct edudma_buf *buf, bool write, bool done);

#endif /* EDUDMA_DMABUF_H */
