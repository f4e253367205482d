# A single-reason flood: external interrupts only, 1 VM x 2 vCPUs.
# vms 1 vcpus 2
seed 7
count 150000
exit 1 1 1 0 400 3000 250 700 0x2
