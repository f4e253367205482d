# Many VMs and vCPUs: 6 VMs x 8 vCPUs.
# vms 6 vcpus 8
seed 99
count 2000
exit 5 77 12 12 2000 800000 300 900 0x2
exit 3 1 1 0 500 60000 300 900 0x2
exit 1 77 77 0x10001 5000 400000 300 900 0xe
gsbase 2 100 400
