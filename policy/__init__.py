"""The CrossGuard policy pack (`pulumi preview --policy-pack policy`) and the rules `ops check` runs offline."""
