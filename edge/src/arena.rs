//! A bump allocator for the Wasm scorer, in place of the standard library's dlmalloc (a
//! few kilobytes that the size budget cannot spare). Everything a request allocates is
//! dropped by the end of the request, so the heap is an arena: the artifact is loaded
//! first and stays below a mark ([`mark`]), and each new request ([`reset`], called by
//! `dl_alloc`) starts again from that mark. Freeing the most recent block, or growing it,
//! happens in place; other frees are left to the next reset.
//!
//! Monitoring keeps summaries across requests, so it has a region of its own: a block
//! reserved below the mark ([`reserve_keep`], [`KEEP_BYTES`]) in which allocations made
//! while [`keep`] is on are bumped, and which is emptied when the isolate's delta has been
//! written ([`keep_reset`]). The summaries are bounded (see `watch.rs`), and the host is
//! asked for a delta before the region fills ([`keep_full`]).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

const PAGE: usize = 65_536;

pub(crate) struct Arena {
    next: Cell<usize>,
    end: Cell<usize>,
    mark: Cell<usize>,
    last: Cell<usize>,
    /// the monitoring region: [keep_start, keep_end), bumped at keep_next
    keep_on: Cell<bool>,
    keep_start: Cell<usize>,
    keep_next: Cell<usize>,
    keep_end: Cell<usize>,
    keep_last: Cell<usize>,
}

/// The monitoring region's size.
pub(crate) const KEEP_BYTES: usize = 16 << 20;

// SAFETY: the module has no threads (wasm32-unknown-unknown without atomics).
unsafe impl Sync for Arena {}

#[global_allocator]
pub(crate) static ARENA: Arena = Arena {
    next: Cell::new(0),
    end: Cell::new(0),
    mark: Cell::new(0),
    last: Cell::new(0),
    keep_on: Cell::new(false),
    keep_start: Cell::new(0),
    keep_next: Cell::new(0),
    keep_end: Cell::new(0),
    keep_last: Cell::new(0),
};

/// Reserves the monitoring region (once), below a new mark.
pub(crate) fn reserve_keep() -> bool {
    if ARENA.keep_end.get() != 0 {
        return true;
    }
    // SAFETY: a plain allocation from this allocator, kept for the module's life
    let start = unsafe { ARENA.alloc(Layout::from_size_align_unchecked(KEEP_BYTES, 8)) } as usize;
    if start == 0 {
        return false;
    }
    ARENA.keep_start.set(start);
    ARENA.keep_next.set(start);
    ARENA.keep_end.set(start + KEEP_BYTES);
    mark();
    true
}

/// Routes allocations to the monitoring region (`true`) or the request arena.
pub(crate) fn keep(on: bool) {
    ARENA.keep_on.set(on && ARENA.keep_end.get() != 0);
}

/// Empties the monitoring region (nothing in it may be used afterwards).
pub(crate) fn keep_reset() {
    ARENA.keep_next.set(ARENA.keep_start.get());
    ARENA.keep_last.set(0);
}

/// True when the monitoring region is more than half full.
pub(crate) fn keep_full() -> bool {
    ARENA.keep_end.get() != 0 && ARENA.keep_next.get() - ARENA.keep_start.get() > KEEP_BYTES / 2
}

fn in_keep(p: usize) -> bool {
    p >= ARENA.keep_start.get() && p < ARENA.keep_end.get()
}

unsafe fn keep_alloc(layout: Layout) -> *mut u8 {
    let align = layout.align().max(8);
    let start = (ARENA.keep_next.get() + align - 1) & !(align - 1);
    match start.checked_add(layout.size()) {
        Some(next) if next <= ARENA.keep_end.get() => {
            ARENA.keep_next.set(next);
            ARENA.keep_last.set(start);
            start as *mut u8
        }
        _ => core::ptr::null_mut(),
    }
}

/// Keeps everything allocated so far (the loaded artifact) across resets.
pub(crate) fn mark() {
    ARENA.mark.set(ARENA.next.get());
    ARENA.last.set(0);
}

/// Starts a new request: releases every block allocated after the mark.
pub(crate) fn reset() {
    if ARENA.mark.get() != 0 {
        ARENA.next.set(ARENA.mark.get());
        ARENA.last.set(0);
    }
}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.keep_on.get() {
            return keep_alloc(layout);
        }
        if self.next.get() == 0 {
            let base = core::arch::wasm32::memory_size(0) * PAGE;
            self.next.set(base);
            self.end.set(base);
        }
        let align = layout.align().max(8);
        let start = (self.next.get() + align - 1) & !(align - 1);
        let Some(new_next) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if new_next > self.end.get() {
            let pages = (new_next - self.end.get()).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
            self.end.set(self.end.get() + pages * PAGE);
        }
        self.next.set(new_next);
        self.last.set(start);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        if in_keep(ptr as usize) {
            if ptr as usize == self.keep_last.get() {
                self.keep_next.set(ptr as usize);
                self.keep_last.set(0);
            }
            return;
        }
        if ptr as usize == self.last.get() {
            self.next.set(ptr as usize);
            self.last.set(0);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        if in_keep(start) {
            if start == self.keep_last.get() && start + new_size <= self.keep_end.get() {
                self.keep_next.set(start + new_size);
                return ptr;
            }
            let on = self.keep_on.replace(true);
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            self.keep_on.set(on);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            return new;
        }
        if start == self.last.get() {
            let new_next = start + new_size;
            if new_next <= self.end.get() {
                self.next.set(new_next);
                return ptr;
            }
            let pages = (new_next - self.end.get()).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) != usize::MAX {
                self.end.set(self.end.get() + pages * PAGE);
                self.next.set(new_next);
                return ptr;
            }
            return core::ptr::null_mut();
        }
        let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !new.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
        }
        new
    }
}
