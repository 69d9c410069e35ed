# The Debian bookworm root file system that the flink-official-standin image starts from, as an image.
# cluster/build-images.sh makes rootfs.tar with debootstrap (minbase, openjdk-17-jre-headless and the few
# libraries the official image adds, trimmed) from the machine's own apt sources, and builds this file
# with that tarball's folder as the build context. ADD unpacks a local tar archive, keeping its owners
# and modes, so the image's one layer is exactly that file system.
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["bash"]
