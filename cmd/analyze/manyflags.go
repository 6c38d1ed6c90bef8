package main

import "github.com/forkcost/forkcost/replay"

// manyFlags are the flags of the commands that replay traces through
// replay.RunMany (replay, compare, plot, report): machines, filters, the
// intervals when the command shows them, and --jobs. add and addJobs
// register them where each command's help lists them; config checks them.
type manyFlags struct {
	mf   machineFlags
	ff   filterFlags
	uf   *uncertaintyFlags // nil: the command shows no intervals
	jobs *int
}

func (m *manyFlags) add(fs *flagSet, intervals bool) {
	m.mf.add(fs)
	m.ff.add(fs, false)
	if intervals {
		m.uf = new(uncertaintyFlags)
		m.uf.add(fs)
	}
}

func (m *manyFlags) addJobs(fs *flagSet) {
	m.jobs = fs.IntP("jobs", "j", defaultJobs(), "replay up to `n` traces at once")
}

// config returns replay's Config (machines, filters, intervals) for the
// flags; bad values are usage errors.
func (m *manyFlags) config(fs *flagSet) (replay.Config, error) {
	var cfg replay.Config
	if *m.jobs < 1 {
		return cfg, fs.failf("--jobs %d: want at least 1", *m.jobs)
	}
	var err error
	if m.uf != nil {
		if cfg.Uncertainty, err = m.uf.config(fs); err != nil {
			return cfg, err
		}
	}
	if cfg.Filter, err = m.ff.spec(fs); err != nil {
		return cfg, err
	}
	cfg.Machines, err = m.mf.profiles(fs)
	return cfg, err
}
