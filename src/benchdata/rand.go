package benchdata

import "strconv"

// rng is SplitMix64: tiny, fast and, unlike math/rand/v2's helpers, fixed
// by this file alone, so that a seed gives the same events with every Go
// release.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{s: seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); the modulo bias is far below what a
// benchmark corpus notices.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance is true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// skewed returns an index in [0, n) with a heavy head, the way a few
// controllers and nodes make most of the API calls.
func (r *rng) skewed(n int) int {
	u := r.float()
	return int(u * u * u * float64(n))
}

// hex returns n lowercase hexadecimal digits.
func (r *rng) hex(n int) string { return r.digits(n, "0123456789abcdef") }

// upper returns n characters of [A-Z0-9], as in AWS key and role IDs.
func (r *rng) upper(n int) string { return r.digits(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") }

// lower returns n characters of [a-z0-9] without vowels, as in the
// random suffixes Kubernetes gives generated names.
func (r *rng) lower(n int) string { return r.digits(n, "bcdfghjklmnpqrstvwxz2456789") }

func (r *rng) digits(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.intn(len(alphabet))]
	}
	return string(b)
}

// uuid returns a random RFC 4122 version 4 UUID.
func (r *rng) uuid() string {
	h := r.hex(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[r.intn(4)]) + h[17:20] + "-" + h[20:]
}

// pick returns a random element.
func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// weighted picks among choices by their weights.
type weighted[T any] struct {
	items []T
	cum   []int
}

func (w *weighted[T]) add(weight int, item T) {
	total := weight
	if n := len(w.cum); n > 0 {
		total += w.cum[n-1]
	}
	w.items = append(w.items, item)
	w.cum = append(w.cum, total)
}

func (w *weighted[T]) pick(r *rng) T {
	x := r.intn(w.cum[len(w.cum)-1])
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return w.items[lo]
}

func itoa(n int) string { return strconv.Itoa(n) }
