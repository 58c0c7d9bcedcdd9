package enrich

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

func deriveSource(e *Enricher, ev *event, out *Output) {
	ips := ev.SourceIPs
	if len(ips) == 0 {
		return
	}
	first := strings.TrimSpace(ips[0])
	out.Set(FieldSrcIP, first)
	out.Set(FieldK8sSrcIPConn, strings.TrimSpace(ips[len(ips)-1]))
	out.Set(FieldK8sSrcIPCount, strconv.Itoa(len(ips)))
	addr, err := netip.ParseAddr(first)
	class := "other"
	if err == nil {
		addr = addr.Unmap()
		class = ipClass(addr)
	}
	out.Set(FieldK8sSrcIPClass, class)
	out.SetBool(FieldK8sSrcIsPublic, class == "public")
	if err == nil {
		trusted := false
		for _, p := range e.tables.TrustedNetworks {
			if p.Contains(addr) {
				trusted = true
				break
			}
		}
		out.SetBool(FieldK8sSrcTrusted, trusted)
	}
}

// specialPurpose are the entries of IANA's IPv4 and IPv6 Special-Purpose
// Address Registries (iana-ipv4-special-registry and
// iana-ipv6-special-registry, as of 2025, RFC 6890 and later) mapped to a
// class by their "Globally Reachable" column: true is public; false is
// loopback, link_local or private where the entry is one of those, else
// other; N/A (deprecated entries) is other. The shared address space
// 100.64.0.0/10 (RFC 6598, where EKS custom networking puts pods) counts as
// private. The most specific entry wins (192.0.0.9/32 is public inside
// 192.0.0.0/24). Addresses in no entry are public unicast, except
// multicast, which is other.
var specialPurpose = func() [2][]specialRange {
	table := []struct{ prefix, class string }{
		// IPv4
		{"0.0.0.0/8", "other"},           // "this network"
		{"10.0.0.0/8", "private"},        // private-use
		{"100.64.0.0/10", "private"},     // shared address space
		{"127.0.0.0/8", "loopback"},      // loopback
		{"169.254.0.0/16", "link_local"}, // link local
		{"172.16.0.0/12", "private"},     // private-use
		{"192.0.0.0/24", "other"},        // IETF protocol assignments
		{"192.0.0.9/32", "public"},       // port control protocol anycast
		{"192.0.0.10/32", "public"},      // TURN anycast
		{"192.0.2.0/24", "other"},        // documentation (TEST-NET-1)
		{"192.31.196.0/24", "public"},    // AS112-v4
		{"192.52.193.0/24", "public"},    // AMT
		{"192.88.99.0/24", "other"},      // deprecated 6to4 relay anycast
		{"192.168.0.0/16", "private"},    // private-use
		{"192.175.48.0/24", "public"},    // direct delegation AS112
		{"198.18.0.0/15", "other"},       // benchmarking
		{"198.51.100.0/24", "other"},     // documentation (TEST-NET-2)
		{"203.0.113.0/24", "other"},      // documentation (TEST-NET-3)
		{"240.0.0.0/4", "other"},         // reserved
		{"255.255.255.255/32", "other"},  // limited broadcast
		{"224.0.0.0/4", "other"},         // multicast (not in the registry)
		// IPv6
		{"::/128", "other"},             // unspecified
		{"::1/128", "loopback"},         // loopback
		{"::ffff:0:0/96", "other"},      // IPv4-mapped (unmapped before this)
		{"64:ff9b::/96", "public"},      // IPv4-IPv6 translation
		{"64:ff9b:1::/48", "other"},     // IPv4-IPv6 translation, local use
		{"100::/64", "other"},           // discard-only
		{"100:0:0:1::/64", "other"},     // dummy prefix
		{"2001::/23", "other"},          // IETF protocol assignments
		{"2001::/32", "other"},          // TEREDO (N/A)
		{"2001:1::1/128", "public"},     // PCP anycast
		{"2001:1::2/128", "public"},     // TURN anycast
		{"2001:1::3/128", "public"},     // DNS-SD SRP anycast
		{"2001:2::/48", "other"},        // benchmarking
		{"2001:3::/32", "public"},       // AMT
		{"2001:4:112::/48", "public"},   // AS112-v6
		{"2001:10::/28", "other"},       // deprecated ORCHID
		{"2001:20::/28", "public"},      // ORCHIDv2
		{"2001:30::/28", "public"},      // drone remote ID entity tags
		{"2001:db8::/32", "other"},      // documentation
		{"2002::/16", "other"},          // 6to4 (N/A)
		{"2620:4f:8000::/48", "public"}, // direct delegation AS112
		{"3fff::/20", "other"},          // documentation
		{"5f00::/16", "other"},          // segment routing SIDs
		{"fc00::/7", "private"},         // unique-local
		{"fe80::/10", "link_local"},     // link-local unicast
		{"ff00::/8", "other"},           // multicast (not in the registry)
	}
	var v4, v6 []specialRange
	for _, e := range table {
		p := netip.MustParsePrefix(e.prefix)
		if p.Addr().Is4() {
			v4 = append(v4, specialRange{p, e.class})
		} else {
			v6 = append(v6, specialRange{p, e.class})
		}
	}
	// Most specific first.
	for _, l := range [][]specialRange{v4, v6} {
		sort.SliceStable(l, func(i, j int) bool { return l[i].prefix.Bits() > l[j].prefix.Bits() })
	}
	return [2][]specialRange{v4, v6}
}()

type specialRange struct {
	prefix netip.Prefix
	class  string
}

// ipClass classifies an address: loopback, link_local, private, public or
// other, by IANA's special-purpose registries (see specialPurpose).
func ipClass(addr netip.Addr) string {
	addr = addr.WithZone("")
	ranges := specialPurpose[1]
	if addr.Is4() {
		ranges = specialPurpose[0]
	}
	for _, r := range ranges {
		if r.prefix.Contains(addr) {
			return r.class
		}
	}
	return "public"
}
