package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/vim25/mo"
)

// Tag-based backup policies through the vSphere Automation REST API (govmomi's vapi/rest and
// vapi/tags, the older /rest paths): REST login with the same credentials, a category and a tag,
// attach to the VM, list both ways, detach, delete, REST logout. vCenter only.
func checkTags(ctx context.Context, e *env) (string, error) {
	if !e.isVC() {
		return "", errSkip("the tagging service is a vCenter service")
	}
	// The tagging API only needs the reference: SearchIndex, not the finder's property reads.
	vm, err := object.NewSearchIndex(e.c.Client).FindByInventoryPath(ctx, strings.TrimPrefix(e.vmPath(e.cfg.VM), "/"))
	if err != nil || vm == nil {
		return "", fmt.Errorf("VM %s: %v", e.cfg.VM, err)
	}
	rc := rest.NewClient(e.c.Client)
	if err := rc.Login(ctx, url.UserPassword(e.cfg.User, e.cfg.Password)); err != nil {
		return "", fmt.Errorf("REST login: %w", err)
	}
	s, err := rc.Session(ctx)
	if err != nil || s == nil {
		return "", fmt.Errorf("REST session after login: %v, %v", s, err)
	}
	m := tags.NewManager(rc)
	catID, err := m.CreateCategory(ctx, &tags.Category{Name: "govmomi-policy", Description: "backup policy", Cardinality: "SINGLE", AssociableTypes: []string{"VirtualMachine"}})
	if err != nil {
		return "", fmt.Errorf("CreateCategory: %w", err)
	}
	defer m.DeleteCategory(context.Background(), &tags.Category{ID: catID})
	cat, err := m.GetCategory(ctx, "govmomi-policy") // by name: lists, then gets each
	if err != nil || cat.ID != catID || cat.Cardinality != "SINGLE" {
		return "", fmt.Errorf("GetCategory by name: %+v, %v", cat, err)
	}
	tagID, err := m.CreateTag(ctx, &tags.Tag{Name: "gold", Description: "hourly", CategoryID: "govmomi-policy"})
	if err != nil {
		return "", fmt.Errorf("CreateTag: %w", err)
	}
	inCat, err := m.GetTagsForCategory(ctx, catID)
	if err != nil || len(inCat) != 1 || inCat[0].Name != "gold" {
		return "", fmt.Errorf("GetTagsForCategory: %+v, %v", inCat, err)
	}
	if err := m.AttachTag(ctx, tagID, vm.Reference()); err != nil {
		return "", fmt.Errorf("AttachTag: %w", err)
	}
	attached, err := m.GetAttachedTags(ctx, vm.Reference())
	if err != nil || len(attached) != 1 || attached[0].ID != tagID {
		return "", fmt.Errorf("GetAttachedTags: %+v, %v", attached, err)
	}
	objs, err := m.ListAttachedObjects(ctx, tagID)
	if err != nil || len(objs) != 1 || objs[0].Reference() != vm.Reference() {
		return "", fmt.Errorf("ListAttachedObjects: %v, %v", objs, err)
	}
	onObjs, err := m.GetAttachedTagsOnObjects(ctx, []mo.Reference{vm.Reference()})
	if err != nil || len(onObjs) != 1 || len(onObjs[0].Tags) != 1 {
		return "", fmt.Errorf("GetAttachedTagsOnObjects: %+v, %v", onObjs, err)
	}
	if err := m.DetachTag(ctx, tagID, vm.Reference()); err != nil {
		return "", fmt.Errorf("DetachTag: %w", err)
	}
	if left, err := m.ListAttachedTags(ctx, vm.Reference()); err != nil || len(left) != 0 {
		return "", fmt.Errorf("ListAttachedTags after detach: %v, %v", left, err)
	}
	if err := m.DeleteTag(ctx, &tags.Tag{ID: tagID}); err != nil {
		return "", fmt.Errorf("DeleteTag: %w", err)
	}
	if err := rc.Logout(ctx); err != nil {
		return "", fmt.Errorf("REST logout: %w", err)
	}
	if s, err := rc.Session(ctx); err != nil || s != nil {
		return "", fmt.Errorf("REST session after logout: %v, %v", s, err)
	}
	return fmt.Sprintf("category %s, tag %s on %s", catID, tagID, vm.Reference()), nil
}
