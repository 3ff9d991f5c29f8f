"""An example reviewloop plugin: a CSV output format and a TODO-comment analyzer."""
