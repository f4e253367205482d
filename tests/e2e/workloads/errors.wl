# Error statuses and the outcomes that skip kvm_exit: 2 VMs x 2 vCPUs.
# vms 2 vcpus 2
seed 1234
count 10000
exit 40 1 1 0 500 60000 300 900 0x2
# TDX_OPERAND_BUSY on the SEPT (operand 0x92) and on the TD epoch (0xa9)
exit 10 0x8000020000000092 0xffffffff 0 200 5000 300 900 0x2
exit 5 0x80000200000000a9 0xffffffff 0 200 5000 300 900 0x2
# TDX_SW_ERROR: VMFAILINVALID and #GP on the SEAMCALL
exit 2 0x8000ff00ffff0000 0xffffffff 0 100 2000 300 900 0x2
exit 1 0x8000ff000000000d 0xffffffff 0 100 2000 300 900 0x2
# EPT misconfig returned by the TDX module: KVM_BUG path, before kvm_exit
exit 1 49 0xffffffff 0 500 9000 300 900 0x2
# non-recoverable TD with an exit reason
exit 1 0x4000000200000002 2 0 500 9000 300 900 0x2
# a SEPT zap being retried: entries skipped
deferred 50
