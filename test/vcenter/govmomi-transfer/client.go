package main

import (
	"context"

	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

func govmomiVim(ctx context.Context, sc *soap.Client) (*vim25.Client, error) {
	return vim25.NewClient(ctx, sc)
}
