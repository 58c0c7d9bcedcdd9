package chunked_test

import (
	"fmt"

	"github.com/kubelens/kubelens/src/chunked"
)

func ExampleTable() {
	t, _ := chunked.DecodeTable([]byte("\"sourceIPs{}\",\"__mv_sourceIPs{}\"\n\"203.0.113.7\n10.0.0.2\",\"$203.0.113.7$;$10.0.0.2$\"\n"))
	r := t.Record(0)
	r.Set("src_ip", r.Values("sourceIPs{}")[0])
	fmt.Printf("%s", t.AppendCSV(nil))
	// Output:
	// "sourceIPs{}","__mv_sourceIPs{}",src_ip
	// "203.0.113.7
	// 10.0.0.2","$203.0.113.7$;$10.0.0.2$",203.0.113.7
}
