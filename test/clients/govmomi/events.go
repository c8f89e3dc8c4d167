package main

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/vim25/types"
)

// A snapshot taken and removed leaves events on the VM; QueryEvents and an event history collector
// (CreateCollectorForEvents, ReadNextEvents) both return them, as backup software reads them.
func checkEvents(ctx context.Context, e *env) (string, error) {
	vm, err := e.vm(ctx)
	if err != nil {
		return "", err
	}
	t, err := vm.CreateSnapshot(ctx, "govmomi-events", "", false, false)
	if err != nil {
		return "", err
	}
	info, err := t.WaitForResult(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("snapshot task: %w", err)
	}
	snap := info.Result.(types.ManagedObjectReference)
	rt, err := vm.RemoveSnapshot(ctx, snap.Value, false, nil)
	if err != nil {
		return "", err
	}
	if err := rt.Wait(ctx); err != nil {
		return "", fmt.Errorf("remove snapshot: %w", err)
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
