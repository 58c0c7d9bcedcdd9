package chunked

// DefaultPipeBuffer is the pipe buffer Serve asks the kernel for on its
// input and output, in bytes, where it can (Linux: see GrowPipe) and
// unless Options.PipeBuffer says otherwise. Linux gives a pipe 64 KiB (16
// pages, pipe(7)), so a 27 MB chunk crosses it in over 400 refills, each
// waking the reader and the writer. In make bench on 2 CPUs, 256 KiB took
// a sixth off kubeenrich's time and a third to three fifths off the
// pass-through's (the reports saved before and after); in one A/B run not
// saved, 1 MiB did no better for kubeenrich.
//
// The kernel charges pipe buffers to the user who created the pipe
// (splunkd's), against /proc/sys/fs/pipe-user-pages-soft (16,384 pages by
// default; root and CAP_SYS_RESOURCE are exempt): past it, every new pipe
// of that user gets 2 pages on current kernels. Growing two of a
// command's pipes from 16 pages to 64 charges 96 pages more. A size above
// /proc/sys/fs/pipe-max-size (1 MiB by default) is refused.
const DefaultPipeBuffer = 1 << 18
