package main

import "syscall"

// reserveChunks reserves n bytes of anonymous memory for held output and
// asks the kernel to back it with huge pages (MADV_HUGEPAGE, which the
// default "madvise" mode of transparent huge pages honours): a 2 MiB page
// faults once where 512 small ones fault one by one. It returns nil when
// the kernel refuses the mapping; the pieces then come from the heap.
func reserveChunks(n int) []byte {
	m, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil
	}
	_ = syscall.Madvise(m, madvHugepage) // a kernel without THP keeps small pages
	return m
}

// madvHugepage is MADV_HUGEPAGE (linux/mman.h), which package syscall
// does not name on every architecture.
const madvHugepage = 14
