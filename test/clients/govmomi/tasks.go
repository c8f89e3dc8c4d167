package main

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// A task is waited on through the PropertyCollector (task.Wait), shows in TaskManager.recentTask and
// in a task history collector; a power operation that cannot run fails inside its task with
// InvalidPowerState, as on vCenter, not as a fault of the call.
func checkTasks(ctx context.Context, e *env) (string, error) {
	vm, err := e.vm(ctx)
	if err != nil {
		return "", err
	}
	t, info, err := snapshotRoundTrip(ctx, vm, "govmomi-tasks")
	if err != nil {
		return "", err
	}
	if info.State != types.TaskInfoStateSuccess || info.Entity == nil || *info.Entity != vm.Reference() {
		return "", fmt.Errorf("task info: state %s entity %v", info.State, info.Entity)
	}

	var tm mo.TaskManager
	if e.c.ServiceContent.TaskManager == nil {
		return "", fmt.Errorf("ServiceContent has no taskManager")
	}
	if err := e.c.RetrieveOne(ctx, *e.c.ServiceContent.TaskManager, []string{"recentTask"}, &tm); err != nil {
		return "", fmt.Errorf("TaskManager.recentTask: %w", err)
	}
	found := false
	for _, r := range tm.RecentTask {
		found = found || r == t.Reference()
	}
	if !found {
		return "", fmt.Errorf("recentTask (%d tasks) lacks %s", len(tm.RecentTask), t.Reference())
	}

	res, err := methods.CreateCollectorForTasks(ctx, e.c.Client, &types.CreateCollectorForTasks{
		This:   *e.c.ServiceContent.TaskManager,
		Filter: types.TaskFilterSpec{Entity: &types.TaskFilterSpecByEntity{Entity: vm.Reference(), Recursion: types.TaskFilterSpecRecursionOptionSelf}},
	})
	if err != nil {
		return "", fmt.Errorf("CreateCollectorForTasks: %w", err)
	}
	defer methods.DestroyCollector(context.Background(), e.c.Client, &types.DestroyCollector{This: res.Returnval})
	var hc mo.TaskHistoryCollector
	if err := e.c.RetrieveOne(ctx, res.Returnval, []string{"latestPage"}, &hc); err != nil {
		return "", fmt.Errorf("TaskHistoryCollector.latestPage: %w", err)
	}
	if len(hc.LatestPage) == 0 {
		return "", fmt.Errorf("TaskHistoryCollector.latestPage is empty after a snapshot task")
	}

	pt, err := vm.PowerOn(ctx)
	if err != nil {
		return "", fmt.Errorf("PowerOnVM_Task on a running VM faulted the call (%v); vCenter fails the task instead", err)
	}
	werr := pt.Wait(ctx)
	te, ok := werr.(task.Error)
	if !ok {
		return "", fmt.Errorf("PowerOn of a running VM: task error %v, want InvalidPowerState", werr)
	}
	if _, ok := te.Fault().(*types.InvalidPowerState); !ok {
		return "", fmt.Errorf("PowerOn of a running VM: task fault %T, want InvalidPowerState", te.Fault())
	}
	return fmt.Sprintf("%d recent tasks, %d in history page", len(tm.RecentTask), len(hc.LatestPage)), nil
}
