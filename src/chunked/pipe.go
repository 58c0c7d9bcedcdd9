package chunked

// PipeBuffer is the pipe buffer Serve asks the kernel for on its input
// and output, in bytes, where it can (Linux: see GrowPipe). Linux gives a
// pipe 64 KiB (16 pages, pipe(7)), so a 27 MB chunk crosses it in over
// 400 refills, each waking the reader and the writer. In make bench on 2 CPUs, 256 KiB took a sixth off
// kubeenrich's time and about half off the pass-through's; 1 MiB (the
// most an unprivileged process may ask for, /proc/sys/fs/pipe-max-size)
// did no better for kubeenrich. The kernel counts pipe buffers against the
// user's allowance (/proc/sys/fs/pipe-user-pages-soft, 16,384 pages by
// default), past which every new pipe of that user, splunkd's included,
// gets one page: growing two pipes to 64 pages costs 96 pages a process.
const PipeBuffer = 1 << 18
