package main

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// A snapshot taken and removed leaves events on the VM; QueryEvents and an event history collector
// (CreateCollectorForEvents, ReadNextEvents) both return them, as backup software reads them.
func checkEvents(ctx context.Context, e *env) (string, error) {
	vm, err := e.vm(ctx)
	if err != nil {
		return "", err
	}
	if _, _, err := snapshotRoundTrip(ctx, vm, "govmomi-events"); err != nil {
		return "", err
	}

	m := event.NewManager(e.c.Client)
	filter := types.EventFilterSpec{Entity: &types.EventFilterSpecByEntity{Entity: vm.Reference(), Recursion: types.EventFilterSpecRecursionOptionSelf}}
	evs, err := m.QueryEvents(ctx, filter)
	if err != nil {
		return "", fmt.Errorf("QueryEvents: %w", err)
	}
	if len(evs) == 0 {
		return "", fmt.Errorf("QueryEvents: no events for %s after a snapshot", vm.Reference())
	}
	for _, ev := range evs {
		be := ev.GetEvent()
		if be.Key == 0 || be.CreatedTime.IsZero() {
			return "", fmt.Errorf("event %T without key or createdTime", ev)
		}
	}

	hc, err := m.CreateCollectorForEvents(ctx, filter)
	if err != nil {
		return "", fmt.Errorf("CreateCollectorForEvents: %w", err)
	}
	defer hc.Destroy(context.Background())
	if err := hc.Rewind(ctx); err != nil {
		return "", fmt.Errorf("RewindCollector: %w", err)
	}
	page, err := hc.ReadNextEvents(ctx, 100)
	if err != nil {
		return "", fmt.Errorf("ReadNextEvents: %w", err)
	}
	if len(page) == 0 {
		return "", fmt.Errorf("ReadNextEvents: empty after a rewind")
	}
	return fmt.Sprintf("%d events (first %T: %s)", len(evs), evs[0], evs[0].GetEvent().FullFormattedMessage), nil
}

// snapshotRoundTrip creates a snapshot, waits for it (task.Wait through the PropertyCollector) and
// removes it: the smallest thing that leaves a task and events on a VM.
func snapshotRoundTrip(ctx context.Context, vm *object.VirtualMachine, name string) (*object.Task, *types.TaskInfo, error) {
	t, err := vm.CreateSnapshot(ctx, name, "", false, false)
	if err != nil {
		return nil, nil, err
	}
	info, err := t.WaitForResult(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot task: %w", err)
	}
	snap := info.Result.(types.ManagedObjectReference)
	rt, err := vm.RemoveSnapshot(ctx, snap.Value, false, nil)
	if err != nil {
		return nil, nil, err
	}
	if err := rt.Wait(ctx); err != nil {
		return nil, nil, fmt.Errorf("remove snapshot: %w", err)
	}
	return t, info, nil
}
