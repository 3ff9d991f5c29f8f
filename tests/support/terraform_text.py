"""Terraform text the security tests plant: one security group opening SSH to what its
`cidr_blocks` reads (a variable, a local, a literal), written once."""

from __future__ import annotations


def ssh_group(cidr: str) -> str:
    """A security group letting port 22 in from `cidr` (an expression: `var.cidr`,
    `local.admin_cidr`, `"0.0.0.0/0"`, or a placeholder a test replaces)."""
    return f"""resource "aws_security_group" "ssh" {{
  name        = "ssh"
  description = "ssh"
  ingress {{
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [{cidr}]
  }}
}}
"""
