"""AWS CDK apps: finding one in the tree (`app`), synthesizing it once per tree state in the
sandbox (`synth`, with cdk-nag's preload from `nag_hook`), reading the cloud assembly and
tracing a template resource back to the source line that created its construct
(`assembly`), the synth gate (`gate`), and checkov and cdk-nag on the templates
(`analyzers`).
"""
