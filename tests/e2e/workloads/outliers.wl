# Rare slow exits among fast ones, for --outliers: 2 VMs x 2 vCPUs.
# vms 2 vcpus 2
seed 4242
count 5000
# fast: HLT and external interrupts, 500-20000 cycles in the guest
exit 1000 77 12 12 2000 20000 300 900 0x2
exit 300 1 1 0 500 8000 300 900 0x2
# rare and slow: MapGPA with 400000-600000 cycles in the guest
exit 2 77 77 0x10001 400000 600000 300 900 0x2
