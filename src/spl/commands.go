package spl

import "strings"

// builtins are the commands of Splunk's Search Reference (Splunk Enterprise
// 9.x/10.x): the vocabulary a saved search may use without an app that adds
// commands. Commands that only premium apps add (ES, MLTK) are not here.
var builtins = toSet(`
abstract accum addcoltotals addinfo addtotals analyzefields anomalies
anomalousvalue anomalydetection append appendcols appendpipe arules
associate audit autoregress bin bucket bucketdir chart cluster cofilter
collect concurrency contingency convert correlate counttable ctable
datamodel datamodelsimple dbinspect dedup delete delta diff dump erex
eval eventcount eventstats extract fieldformat fields fieldsummary
filldown fillnull findtypes folderize foreach format from fromjson gauge
gentimes geom geomfilter geostats head highlight history iconify
inputcsv inputintelligence inputlookup iplocation join kmeans kv kvform
loadjob localize localop lookup makecontinuous makemv makeresults map
mcatalog mcollect metadata metasearch meventcollect mpreview msearch
mstats multikv multisearch mvcombine mvexpand nomv noop outlier
outputcsv outputlookup outputtext overlap pivot predict rangemap rare
redistribute regex reltime rename replace require rest return reverse
rex rtorder savedsearch script scrub search searchtxn selfjoin
sendalert sendemail set setfields sichart sirare sistats sitimechart
sitop sort spath stats strcat streamstats table tags tail timechart
timewrap tojson top transaction transpose trendline tscollect tstats
typeahead typelearner typer union uniq untable walklex where x11 xmlkv
xmlunescape xpath xyseries
`)

func toSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// IsCommand reports whether name (any case) is a built-in SPL command.
func IsCommand(name string) bool {
	return builtins[strings.ToLower(name)]
}
