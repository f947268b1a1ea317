//! A bump allocator for the Wasm scorer, in place of the standard library's dlmalloc (a
//! few kilobytes that the size budget cannot spare). Everything a request allocates is
//! dropped by the end of the request, so the heap is an arena: the artifact is loaded
//! first and stays below a mark ([`mark`]), and each new request ([`reset`], called by
//! `dl_alloc`) starts again from that mark. Freeing the most recent block, or growing it,
//! happens in place; other frees are left to the next reset.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

const PAGE: usize = 65_536;

pub(crate) struct Arena {
    next: Cell<usize>,
    end: Cell<usize>,
    mark: Cell<usize>,
    last: Cell<usize>,
}

// SAFETY: the module has no threads (wasm32-unknown-unknown without atomics).
unsafe impl Sync for Arena {}

#[global_allocator]
pub(crate) static ARENA: Arena = Arena {
    next: Cell::new(0),
    end: Cell::new(0),
    mark: Cell::new(0),
    last: Cell::new(0),
};

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
        if ptr as usize == self.last.get() {
            self.next.set(ptr as usize);
            self.last.set(0);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
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
