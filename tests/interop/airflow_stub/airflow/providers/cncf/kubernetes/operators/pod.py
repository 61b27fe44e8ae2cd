from airflow import BaseOperator


class KubernetesPodOperator(BaseOperator):
    def __init__(self, task_id, image, cmds, arguments, name, **kwargs):
        super().__init__(task_id, image=image, cmds=cmds, arguments=arguments, name=name, **kwargs)
